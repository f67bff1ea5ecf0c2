import type { SuccessMessages } from './messages.js';
import type { User } from './user.js';

/** 200 to GET me, both modes. */
export interface MeAnswer {
  user: User;
}

/** 200 to POST logout, both modes, also when the session had already ended. */
export interface LogoutAnswer {
  message: SuccessMessages['logout'];
}

import type { SuccessMessages } from './messages.js';
import type { User } from './user.js';

/** When a session ends, as ISO 8601 date-times. */
export interface SessionTimes {
  /** The refresh token's end, capped by the session's maximum age. */
  expires_at: string;
  /** When the access token the gateway holds expires (it refreshes before then by itself). */
  access_expires_at: string;
}

/** Session mode: 200 to POST login, with the session cookie; never a token. */
export interface SessionLoginAnswer {
  message: SuccessMessages['login'];
  user: User;
  session: SessionTimes;
}

/** Session mode: 200 to POST refresh-token. */
export interface SessionRefreshAnswer {
  message: SuccessMessages['refresh'];
  session: SessionTimes;
}

/** Session mode: GET session, always 200. */
export type SessionAnswer = { authenticated: false } | { authenticated: true; user: User; expires_at: string };

import type { SuccessMessages } from './messages.js';
import type { User } from './user.js';

/** The provider's tokens as token mode hands them over, and nothing else of the provider's answer. */
export interface TokenSet {
  access_token: string;
  /** Rotated on every refresh when the realm says so: always keep the newest. */
  refresh_token?: string;
  id_token?: string;
  /** Seconds until the access token expires. */
  expires_in: number;
  /** Seconds until the refresh token expires. */
  refresh_expires_in?: number;
  token_type: 'Bearer';
  scope?: string;
}

/** Token mode: 200 to POST login. */
export interface TokenLoginAnswer {
  message: SuccessMessages['login'];
  token: TokenSet;
  user: User;
}

/** Token mode: 200 to POST refresh-token. */
export interface TokenRefreshAnswer {
  message: SuccessMessages['refresh'];
  token: TokenSet;
}

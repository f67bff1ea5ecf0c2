/**
 * What a client sends. The server checks these shapes with its own validation (limits, control characters); these
 * types say which fields exist, for the SDK and for anyone writing a client by hand.
 */

/** POST login, both modes. `scope` is token mode's: the scopes to ask the provider for, space-separated. */
export interface LoginRequest {
  username: string;
  password: string;
  scope?: string;
}

/** Token mode's POST refresh-token. Session mode sends no body. */
export interface RefreshRequest {
  refresh_token: string;
}

/** Token mode's POST logout: the refresh token names the provider session to end. Session mode sends no body. */
export interface LogoutRequest {
  refresh_token: string;
}

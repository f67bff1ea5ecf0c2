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

/**
 * POST register, both modes (JSON or form). The gateway trims every field and lower-cases the username and the email,
 * as Keycloak stores them. A name is either `full_name` (split at its last space: "Ada King Lovelace" is first name
 * "Ada King", last name "Lovelace") or `first_name` / `last_name`, not both.
 */
export interface RegisterRequest {
  username: string;
  email: string;
  password: string;
  first_name?: string;
  last_name?: string;
  full_name?: string;
}

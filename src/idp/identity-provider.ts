import type { User } from '../contract/user.js';

/** What the gateway needs from an OpenID Connect provider; KeycloakService is the implementation. */

export interface TokenSet {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  expires_in: number;
  refresh_expires_in?: number;
  token_type: 'Bearer';
  scope?: string;
}

export interface VerifiedAccessToken {
  user: User;
  /** The token's id, the key of the logout denylist; Keycloak always sets it. */
  jti: string | undefined;
  /** The Keycloak session the token belongs to, the key that denies all of a logged-out session's tokens. */
  sid: string | undefined;
  /** Seconds since the epoch. */
  expiresAt: number;
}

export interface PasswordLogin {
  username: string;
  password: string;
  scope?: string;
}

export interface AuthorizationRequest {
  redirectUri: string;
  state: string;
  nonce: string;
  /** PKCE S256 challenge of the verifier kept by the gateway. */
  codeChallenge: string;
  scope?: string;
}

export interface AuthorizationCallback {
  /** The callback URL exactly as the browser brought it back, query included. */
  callbackUrl: URL;
  redirectUri: string;
  state: string;
  nonce: string;
  codeVerifier: string;
}

/**
 * Every method either answers or throws an ApiError that already speaks the contract: the translation from the
 * provider's answers happens inside the implementation, in one place.
 */
export interface IdentityProvider {
  passwordLogin(input: PasswordLogin): Promise<TokenSet>;
  refresh(refreshToken: string): Promise<TokenSet>;
  /** Where to send the browser to log in (authorization code flow). */
  authorizationUrl(request: AuthorizationRequest): Promise<string>;
  /** Redeems the code the provider sent back, checking state, nonce, PKCE and the ID token. */
  exchangeCode(callback: AuthorizationCallback): Promise<TokenSet>;
  /** Ends the provider's session that the refresh token belongs to. */
  logout(refreshToken: string): Promise<void>;
  /** Local verification against the provider's keys; no provider call unless the key is unknown. */
  verifyAccessToken(accessToken: string): Promise<VerifiedAccessToken>;
  /** Throws when discovery or the key set cannot be had right now. */
  checkReady(): Promise<void>;
}

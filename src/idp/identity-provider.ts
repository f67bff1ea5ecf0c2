import type { ErrorCode, FieldProblem } from '../contract/errors.js';
import type { TokenSet } from '../contract/token-mode.js';
import type { User } from '../contract/user.js';

/** What the gateway needs from an OpenID Connect provider; KeycloakService is the implementation. */

/** The provider's tokens: the very set token mode hands to its clients. */
export type { TokenSet };

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
 * An expected failure in the contract's words: a value the caller decides about. Only the HTTP edge turns one into an
 * answer (an ApiError with the same fields).
 */
export interface Failure {
  code: ErrorCode;
  /** Instead of the contract's message for the code. */
  message?: string;
  /** Which fields the failure is about (invalid_request, user_exists, weak_password). */
  details?: FieldProblem[];
  headers?: Record<string, string>;
  /** For the log line only: what the provider said, a security event name. */
  logFields?: Record<string, unknown>;
  /** The original failure, for the log. */
  cause?: unknown;
}

export type Refused = { ok: false; error: Failure };
/** A login's tokens and the user their verified access token names. */
export type LoginResult = { ok: true; tokens: TokenSet; user: User } | Refused;
/** `user`: who the refreshed access token names, when the gateway can read it (a JWT). */
export type RefreshResult = { ok: true; tokens: TokenSet; user?: User } | Refused;
/** Refused only with invalid_grant: the session the refresh token belonged to had already ended. */
export type LogoutResult = { ok: true } | Refused;
/** Refused with token_expired or unauthenticated: the token is not one the gateway accepts. */
export type TokenCheck = { ok: true; token: VerifiedAccessToken } | Refused;
/** Not ready: any failure to reach or read the provider, which is the answer a readiness check asks for. */
export type Readiness = { ok: true } | Refused;

/**
 * Every method answers, or refuses with a value that already speaks the contract: the provider refused what it was
 * given (the contract's 4xx: credentials, grant, code, scope, token). It throws, as an ApiError in the contract's words,
 * only for the unexpected (the contract's 5xx): the provider cannot be reached or did not answer in time, answered
 * with a fault, or refused the gateway itself. The translation from the provider's answers happens inside the
 * implementation, in one place.
 */
export interface IdentityProvider {
  /** The issuer the provider announces and its tokens carry. */
  readonly issuer: string;
  passwordLogin(input: PasswordLogin): Promise<LoginResult>;
  refresh(refreshToken: string): Promise<RefreshResult>;
  /** Where to send the browser to log in (authorization code flow). */
  authorizationUrl(request: AuthorizationRequest): Promise<string>;
  /** Redeems the code the provider sent back, checking state, nonce, PKCE and the ID token. */
  exchangeCode(callback: AuthorizationCallback): Promise<LoginResult>;
  /**
   * The client-credentials grant of another client (a service registered at the provider), for the service-token
   * exchange. Refused with service_token_invalid when the provider does not accept the client's credentials.
   */
  clientCredentials(clientId: string, clientSecret: string): Promise<RefreshResult>;
  /** Ends the provider's session that the refresh token belongs to. */
  logout(refreshToken: string): Promise<LogoutResult>;
  /** Local verification against the provider's keys; no provider call unless the key is unknown. */
  verifyAccessToken(accessToken: string): Promise<TokenCheck>;
  /** Whether discovery and the key set can be had right now; never throws. */
  checkReady(): Promise<Readiness>;
}

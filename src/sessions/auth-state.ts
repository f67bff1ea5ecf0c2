import type { SessionTimes } from '../contract/session-mode.js';
import type { TokenSet } from '../idp/identity-provider.js';
import type { User } from '../contract/user.js';

/**
 * What a logged-in session holds. Not the ID token: nothing uses it after login (logout goes through the back channel
 * with the refresh token), and every byte here is stored, decrypted and parsed on every request. Lives only inside the
 * session store, encrypted; nothing of it but `user` and the expiry times ever reaches the browser.
 */
export interface AuthState {
  /** Grows by one with every refresh: the compare-and-set guard against a slow request writing stale tokens. */
  version: number;
  user: User;
  accessToken: string;
  refreshToken?: string;
  /** Milliseconds since the epoch, from the provider's `expires_in` and the gateway's clock when it answered. */
  accessExpiresAt: number;
  /** Unset when the provider gave the refresh token no expiry (offline tokens). */
  refreshExpiresAt?: number;
  createdAt: number;
  /** The session's absolute end, however active the user: SESSION_MAX_AGE_SECONDS after login. */
  absoluteExpiresAt: number;
  /**
   * The provider's issuer at login. After the gateway is pointed at another provider, a session of the old one is no
   * session: its user logs in again. Sessions stored before the field existed have none and stay valid.
   */
  issuer?: string;
}

/** A session without its tokens: all that answering /me or /session needs. */
export type SessionSummary = Omit<AuthState, 'accessToken' | 'refreshToken'>;

/** The times that decide when a session ends. */
type SessionEnd = Pick<AuthState, 'refreshExpiresAt' | 'absoluteExpiresAt'>;

export function summaryOf({ accessToken: _access, refreshToken: _refresh, ...summary }: AuthState): SessionSummary {
  return summary;
}

declare module 'express-session' {
  interface SessionData {
    /** Read it with `authOf`, set it with `withAuth` or `new SessionAuth(state)`. */
    auth?: SessionAuth;
  }
}

/**
 * The AuthState as req.session holds it. express-session hashes JSON.stringify(session) two or three times per
 * request to see whether anything changed; a state is never changed in place, only replaced by one with a higher
 * version (or by a new session id at login), so its version is all that comparison needs. The session codec writes
 * the whole state to the store. A session that reaches a log line by mistake shows no token either.
 */
export class SessionAuth {
  constructor(readonly state: AuthState) {}

  toJSON(): { version: number } {
    return { version: this.state.version };
  }
}

export function authOf(session: { auth?: SessionAuth } | null | undefined): AuthState | undefined {
  return session?.auth?.state;
}

/** A copy of `session` holding `state`. */
export function withAuth<T extends { auth?: SessionAuth }>(session: T, state: AuthState): T {
  return { ...session, auth: new SessionAuth(state) };
}

export interface SessionLimits {
  maxAgeMs: number;
}

export function newAuthState(
  tokens: TokenSet,
  user: User,
  now: number,
  limits: SessionLimits,
  issuer: string,
): AuthState {
  const times = { createdAt: now, absoluteExpiresAt: now + limits.maxAgeMs };
  return { version: 1, user, ...tokenFields(tokens, now), ...times, issuer };
}

/** The state after a refresh: the provider may or may not rotate the refresh token; keep the newest one it gave. */
export function refreshedAuthState(previous: AuthState, tokens: TokenSet, user: User, now: number): AuthState {
  const fields = tokenFields(tokens, now);
  return {
    ...previous,
    ...fields,
    version: previous.version + 1,
    user,
    refreshToken: fields.refreshToken ?? previous.refreshToken,
    refreshExpiresAt: fields.refreshToken ? fields.refreshExpiresAt : previous.refreshExpiresAt,
  };
}

/** When the session ends: with its refresh token, and never after its absolute limit. */
export function sessionExpiresAt(state: SessionEnd): number {
  return Math.min(state.refreshExpiresAt ?? Number.POSITIVE_INFINITY, state.absoluteExpiresAt);
}

export function sessionIsOver(state: SessionEnd, now: number): boolean {
  return sessionExpiresAt(state) <= now;
}

export function needsRefresh(state: Pick<AuthState, 'accessExpiresAt'>, now: number, skewMs: number): boolean {
  return state.accessExpiresAt - skewMs <= now;
}

/** The public view of a session's times, as the contract shows them. */
export function sessionTimes(state: SessionSummary): SessionTimes {
  return {
    expires_at: new Date(sessionExpiresAt(state)).toISOString(),
    access_expires_at: new Date(state.accessExpiresAt).toISOString(),
  };
}

function tokenFields(
  tokens: TokenSet,
  now: number,
): Pick<AuthState, 'accessToken' | 'refreshToken' | 'accessExpiresAt' | 'refreshExpiresAt'> {
  const fields: ReturnType<typeof tokenFields> = {
    accessToken: tokens.access_token,
    accessExpiresAt: now + tokens.expires_in * 1000,
  };
  if (tokens.refresh_token) fields.refreshToken = tokens.refresh_token;
  // Keycloak says refresh_expires_in 0 for offline tokens: they end only when the offline session does.
  if (tokens.refresh_expires_in) fields.refreshExpiresAt = now + tokens.refresh_expires_in * 1000;
  return fields;
}

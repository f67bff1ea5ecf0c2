import type { Failure } from '../idp/identity-provider.js';
import type { AuthState, SessionSummary } from './auth-state.js';

// What the session operations answer (see Sessions): every ordinary outcome is a value; only the HTTP edge
// (routes/session-mode.ts) turns one into the contract's answer. Exceptions are left for the unexpected (the store
// or the provider unreachable).

/** Why a session ended here: the client must log in again. */
export type EndReason =
  | 'session_limit_reached'
  | 'session_ended_meanwhile'
  | 'no_refresh_token'
  | 'refresh_refused'
  | 'subject_changed'
  | 'session_unreadable';

/** No cookie, a cookie the gateway never issued, or a session that is gone. */
export interface NoSession {
  kind: 'none';
}

/** The session ended here, its cookie cleared. `refusal`: the provider's answer, when it refused the refresh. */
export interface SessionEnded {
  kind: 'ended';
  reason: EndReason;
  refusal?: Failure;
}

/** The session stays, but has no new tokens now: the provider refused otherwise, or the refresh running elsewhere did not finish. */
export interface RefreshFailed {
  kind: 'failed';
  error: Failure;
}

/** A logged-in session, without its tokens. `refreshed`: it got new tokens for this request. */
export interface ActiveSession {
  kind: 'active';
  session: SessionSummary;
  refreshed: boolean;
}

/** What SessionRefresher gives: the newest state, or why there is none. */
export type RefreshOutcome = { kind: 'refreshed'; state: AuthState } | SessionEnded | RefreshFailed;

export const NO_SESSION: NoSession = { kind: 'none' };

export function ended(reason: EndReason, refusal?: Failure): SessionEnded {
  return refusal ? { kind: 'ended', reason, refusal } : { kind: 'ended', reason };
}

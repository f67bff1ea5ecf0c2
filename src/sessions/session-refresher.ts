import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeJwt } from 'jose';
import type { Clock } from '../support/clock.js';
import { ApiError } from '../errors/api-error.js';
import { userFromClaims } from '../idp/claims.js';
import type { IdentityProvider, TokenSet } from '../idp/identity-provider.js';
import type { User } from '../contract/user.js';
import type { Logger } from '../observability/logger.js';
import type { KeyValueStore } from '../stores/key-value-store.js';
import { authOf, refreshedAuthState, withAuth, type AuthState } from './auth-state.js';
import { LeaseLock } from './lease-lock.js';
import type { SessionCodec } from './session-codec.js';
import type { VersionedSessionStore } from './versioned-session-store.js';

export interface SessionRefresherOptions {
  identityProvider: IdentityProvider;
  sessions: VersionedSessionStore;
  /** Locks and refresh results: Redis when several instances share the sessions. */
  shared: KeyValueStore;
  codec: SessionCodec;
  clock: Clock;
  logger: Logger;
  /** The provider's timeout: bounds how long a refresh can hold the lock and how long others wait for it. */
  idpTimeoutMs: number;
}

const POLL_MS = 20;
const RESULT_TTL_MS = 60_000;

/**
 * Exactly one refresh grant per session, however many requests need one at once and on however many instances:
 *   1. in-process single-flight: concurrent callers for the same session and version share one promise;
 *   2. a lease lock in the shared store: one instance refreshes, the others wait;
 *   3. after taking the lock, re-read the session: if its version moved, somebody else refreshed; use theirs;
 *   4. the result is also kept for a minute under a hash of the spent refresh token, so a late request holding the
 *      old state gets the new tokens instead of replaying a refresh token the provider has already rotated away;
 *   5. the write is a compare-and-set on the session version, so it never overwrites newer tokens.
 * A terminal refusal (invalid_grant) ends the session: 401 session_expired. A transient failure keeps it: 503/504.
 */
export class SessionRefresher {
  private readonly inflight = new Map<string, Promise<AuthState>>();
  private readonly lock: LeaseLock;
  private readonly waitMs: number;

  constructor(private readonly options: SessionRefresherOptions) {
    this.lock = new LeaseLock(options.shared, options.idpTimeoutMs + 2000, options.logger);
    this.waitMs = 2 * options.idpTimeoutMs + 2000;
  }

  /** New tokens for the session whose state `seen` was read; resolves with the newest state. */
  refresh(sid: string, seen: AuthState): Promise<AuthState> {
    const key = `${sid}:${seen.version}`;
    let running = this.inflight.get(key);
    if (!running) {
      running = this.refreshOnce(sid, seen).finally(() => this.inflight.delete(key));
      this.inflight.set(key, running);
    }
    return running;
  }

  private async refreshOnce(sid: string, seen: AuthState): Promise<AuthState> {
    if (!seen.refreshToken) throw await this.end(sid, 'no_refresh_token');
    const resultKey = `refreshed:${createHash('sha256').update(seen.refreshToken).digest('base64url')}`;
    const deadline = performance.now() + this.waitMs;
    for (;;) {
      const done = await this.options.shared.get(resultKey);
      if (done) return JSON.parse(this.options.codec.open(done)) as AuthState;
      const lease = await this.lock.tryAcquire(`refresh:${sid}`);
      if (lease) {
        try {
          return await this.refreshHoldingLock(sid, seen, resultKey);
        } finally {
          await lease.release();
        }
      }
      if (performance.now() > deadline) {
        throw new ApiError('idp_timeout', { message: 'The session refresh running on another request did not finish in time' });
      }
      await sleep(POLL_MS);
    }
  }

  private async refreshHoldingLock(sid: string, seen: AuthState, resultKey: string): Promise<AuthState> {
    const { identityProvider, sessions, shared, codec, clock, logger } = this.options;
    const current = await sessions.read(sid);
    const state = authOf(current);
    if (!current || !state) throw new ApiError('session_expired', { logFields: { reason: 'session_ended_meanwhile' } });
    if (state.version !== seen.version) return state;
    const spent = state.refreshToken;
    if (!spent) throw await this.end(sid, 'no_refresh_token');

    let tokens: TokenSet;
    try {
      tokens = await identityProvider.refresh(spent);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'invalid_grant') throw await this.end(sid, 'refresh_refused', err);
      throw err;
    }
    const user = userOf(tokens, state.user);
    if (user.sub !== state.user.sub) {
      logger.warn('auth.refresh.subject_changed', { event: 'auth.refresh.subject_changed' });
      throw await this.end(sid, 'subject_changed');
    }
    const next = refreshedAuthState(state, tokens, user, clock.now());
    const outcome = await sessions.replaceIfVersion(sid, state.version, withAuth(current, next));
    if (outcome === 'gone') {
      // Logged out while the provider was answering: end the provider session the new tokens belong to as well.
      if (next.refreshToken) await identityProvider.logout(next.refreshToken).catch(() => undefined);
      throw new ApiError('session_expired', { logFields: { reason: 'session_ended_meanwhile' } });
    }
    if (outcome === 'changed') {
      const newer = authOf(await sessions.read(sid));
      if (newer) return newer;
      throw new ApiError('session_expired', { logFields: { reason: 'session_ended_meanwhile' } });
    }
    await shared.set(resultKey, codec.seal('refresh', JSON.stringify(next)), RESULT_TTL_MS);
    logger.info('auth.refresh.succeeded', { event: 'auth.refresh.succeeded', sub: user.sub, version: next.version });
    return next;
  }

  /** Ends a session the provider will not refresh: the client must log in again. */
  private async end(sid: string, reason: string, cause?: ApiError): Promise<ApiError> {
    await this.options.sessions.remove(sid);
    return new ApiError('session_expired', { ...(cause ? { cause } : {}), logFields: { reason, ...cause?.logFields } });
  }
}

/**
 * The user as the refreshed access token describes it (roles may have changed). The token came straight from the
 * provider's token endpoint over the back channel, so it is read without a signature check: nothing may fail between
 * receiving rotated tokens and storing them, or the only valid refresh token would be lost.
 */
function userOf(tokens: TokenSet, previous: User): User {
  try {
    return userFromClaims(decodeJwt(tokens.access_token));
  } catch {
    return previous;
  }
}

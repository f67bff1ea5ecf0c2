import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../support/clock.js';
import type { Failure, IdentityProvider } from '../idp/identity-provider.js';
import type { Logger } from '../observability/logger.js';
import type { KeyValueStore } from '../stores/key-value-store.js';
import { authOf, refreshedAuthState, withAuth, type AuthState } from './auth-state.js';
import { LeaseLock } from './lease-lock.js';
import type { SessionCodec } from './session-codec.js';
import { ended, type RefreshOutcome, type SessionEnded } from './session-outcomes.js';
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
 * A terminal refusal (invalid_grant) ends the session (`ended`); any other refusal keeps it (`failed`), and so does a
 * provider that cannot be reached (thrown).
 */
export class SessionRefresher {
  private readonly inflight = new Map<string, Promise<RefreshOutcome>>();
  private readonly lock: LeaseLock;
  private readonly waitMs: number;

  constructor(private readonly options: SessionRefresherOptions) {
    this.lock = new LeaseLock(options.shared, options.idpTimeoutMs + 2000, options.logger);
    this.waitMs = 2 * options.idpTimeoutMs + 2000;
  }

  /** New tokens for the session whose state `seen` was read: the newest state, or why there is none. */
  refresh(sid: string, seen: AuthState): Promise<RefreshOutcome> {
    const key = `${sid}:${seen.version}`;
    let running = this.inflight.get(key);
    if (!running) {
      running = this.refreshOnce(sid, seen).finally(() => this.inflight.delete(key));
      this.inflight.set(key, running);
    }
    return running;
  }

  private async refreshOnce(sid: string, seen: AuthState): Promise<RefreshOutcome> {
    if (!seen.refreshToken) return this.end(sid, 'no_refresh_token');
    const resultKey = `refreshed:${createHash('sha256').update(seen.refreshToken).digest('base64url')}`;
    const deadline = performance.now() + this.waitMs;
    for (;;) {
      const done = await this.options.shared.get(resultKey);
      if (done) return { kind: 'refreshed', state: JSON.parse(this.options.codec.open(done)) as AuthState };
      const lease = await this.lock.tryAcquire(`refresh:${sid}`);
      if (lease) {
        try {
          return await this.refreshHoldingLock(sid, seen, resultKey);
        } finally {
          await lease.release();
        }
      }
      if (performance.now() > deadline) {
        return {
          kind: 'failed',
          error: {
            code: 'idp_timeout',
            message: 'The session refresh running on another request did not finish in time',
          },
        };
      }
      await sleep(POLL_MS);
    }
  }

  private async refreshHoldingLock(sid: string, seen: AuthState, resultKey: string): Promise<RefreshOutcome> {
    const { identityProvider, sessions, shared, codec, clock, logger } = this.options;
    const current = await sessions.read(sid);
    const state = authOf(current);
    if (!current || !state) return ended('session_ended_meanwhile');
    if (state.version !== seen.version) return { kind: 'refreshed', state };
    const spent = state.refreshToken;
    if (!spent) return this.end(sid, 'no_refresh_token');

    const refreshed = await identityProvider.refresh(spent);
    if (!refreshed.ok) {
      return refreshed.error.code === 'invalid_grant'
        ? this.end(sid, 'refresh_refused', refreshed.error)
        : { kind: 'failed', error: refreshed.error };
    }
    const { tokens } = refreshed;
    const user = refreshed.user ?? state.user;
    if (user.sub !== state.user.sub) {
      logger.warn('auth.refresh.subject_changed', { event: 'auth.refresh.subject_changed' });
      return this.end(sid, 'subject_changed');
    }
    const next = refreshedAuthState(state, tokens, user, clock.now());
    const outcome = await sessions.replaceIfVersion(sid, state.version, withAuth(current, next));
    if (outcome === 'gone') {
      // Logged out while the provider was answering: end the provider session the new tokens belong to as well.
      if (next.refreshToken) await identityProvider.logout(next.refreshToken).catch(() => undefined);
      return ended('session_ended_meanwhile');
    }
    if (outcome === 'changed') {
      const newer = authOf(await sessions.read(sid));
      return newer ? { kind: 'refreshed', state: newer } : ended('session_ended_meanwhile');
    }
    await shared.set(resultKey, codec.seal('refresh', JSON.stringify(next)), RESULT_TTL_MS);
    logger.info('auth.refresh.succeeded', { event: 'auth.refresh.succeeded', sub: user.sub, version: next.version });
    return { kind: 'refreshed', state: next };
  }

  /** Ends a session the provider will not refresh: the client must log in again. */
  private async end(sid: string, reason: SessionEnded['reason'], refusal?: Failure): Promise<SessionEnded> {
    await this.options.sessions.remove(sid);
    return ended(reason, refusal);
  }
}

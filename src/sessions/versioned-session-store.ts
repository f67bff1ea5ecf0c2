import type { SessionData, Store } from 'express-session';
import type { Clock } from '../support/clock.js';
import { authOf, sessionExpiresAt } from './auth-state.js';

export type ReplaceOutcome = 'written' | 'changed' | 'gone';

/**
 * An express-session store that can also write a session only if nobody changed it since it was read: how a
 * refresh stores new tokens without a slower request ever overwriting them with older ones.
 */
export interface VersionedSessionStore extends Store {
  /** The session, or undefined when there is none or it cannot be read (another SESSION_SECRET). */
  read(sid: string): Promise<SessionData | undefined>;
  /** The session as stored (encrypted), for a reader that skips decrypting what it has already seen. */
  readStored(sid: string): Promise<string | undefined>;
  /** What `read` makes of a stored value: undefined when it cannot be read. */
  decode(stored: string): SessionData | undefined;
  /** Writes `session` only while the stored one still has version `expected`. */
  replaceIfVersion(sid: string, expected: number, session: SessionData): Promise<ReplaceOutcome>;
  /** Removes a session (logout, refused refresh). */
  remove(sid: string): Promise<void>;
}

/** Sessions that are not logged in are never stored (saveUninitialized is off); this bounds any that slip through. */
const ANONYMOUS_TTL_SECONDS = 600;

/** How long the store keeps a session: until its refresh token ends, never past its absolute limit. */
export function sessionTtlSeconds(session: SessionData, clock: Clock): number {
  const auth = authOf(session);
  if (!auth) return ANONYMOUS_TTL_SECONDS;
  return Math.ceil((sessionExpiresAt(auth) - clock.now()) / 1000);
}

/** The express-session callback style, over a promise. */
export function settle<T>(work: Promise<T>, cb: ((err: unknown, value?: T) => void) | undefined): void {
  work.then(
    (value) => cb?.(null, value),
    (err: unknown) => cb?.(err),
  );
}

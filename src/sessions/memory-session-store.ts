import { Store, type SessionData } from 'express-session';
import type { Clock } from '../support/clock.js';
import { MemoryKeyValueStore } from '../stores/memory-key-value-store.js';
import type { SessionCodec } from './session-codec.js';
import {
  sessionTtlSeconds,
  settle,
  type ReplaceOutcome,
  type VersionedSessionStore,
} from './versioned-session-store.js';

type Callback<T = unknown> = (err: unknown, value?: T) => void;

export interface MemorySessionStoreOptions {
  codec: SessionCodec;
  clock: Clock;
  /** At most this many sessions; past it the least recently used go first. */
  maxSessions?: number;
}

/**
 * Sessions of a single instance, kept in memory with their TTL and a bound (express-session's own MemoryStore has
 * neither and says it is not for production). Stored encrypted like in Redis, so a heap dump shows no token either.
 */
export class MemorySessionStore extends Store implements VersionedSessionStore {
  private readonly entries: MemoryKeyValueStore;

  constructor(private readonly options: MemorySessionStoreOptions) {
    super();
    this.entries = new MemoryKeyValueStore({ clock: options.clock, maxEntries: options.maxSessions ?? 100_000 });
  }

  async read(sid: string): Promise<SessionData | undefined> {
    const stored = await this.readStored(sid);
    return stored === undefined ? undefined : this.decode(stored);
  }

  readStored(sid: string): Promise<string | undefined> {
    return this.entries.get(sid);
  }

  decode(stored: string): SessionData | undefined {
    return this.options.codec.parse(stored);
  }

  async replaceIfVersion(sid: string, expected: number, session: SessionData): Promise<ReplaceOutcome> {
    const prefix = `${expected}.`;
    return this.entries.replaceIf(
      sid,
      (current) => current.startsWith(prefix),
      this.options.codec.stringify(session),
      this.ttlMs(session),
    );
  }

  async remove(sid: string): Promise<void> {
    await this.entries.delete(sid);
  }

  override get(sid: string, cb: Callback<SessionData | null>): void {
    settle(
      this.read(sid).then((s) => s ?? null),
      cb,
    );
  }

  override set(sid: string, session: SessionData, cb?: Callback): void {
    settle(this.entries.set(sid, this.options.codec.stringify(session), this.ttlMs(session)), cb);
  }

  override destroy(sid: string, cb?: Callback): void {
    settle(this.remove(sid), cb);
  }

  /** Sessions are never extended by merely being read: only a refresh (a write) moves their end. */
  override touch(_sid: string, _session: SessionData, cb?: () => void): void {
    cb?.();
  }

  private ttlMs(session: SessionData): number {
    return sessionTtlSeconds(session, this.options.clock) * 1000;
  }
}

import { LRUCache } from 'lru-cache';
import type { Clock } from '../support/clock.js';
import type { KeyValueStore } from './key-value-store.js';

export interface MemoryKeyValueStoreOptions {
  clock: Clock;
  /** Upper bound on entries; past it, expired entries are swept and then the least recently used dropped. */
  maxEntries?: number;
}

/**
 * The single-instance store: bounded, so a flood of logouts or login attempts cannot grow the heap without limit.
 * Every operation finishes synchronously inside its promise, which is what makes the compare-and-set ones atomic.
 */
export class MemoryKeyValueStore implements KeyValueStore {
  private readonly entries: LRUCache<string, string>;
  private lastSweep = Number.NEGATIVE_INFINITY;
  /** How many entries had to be dropped to stay within the bound (exposed for metrics and tests). */
  evicted = 0;

  constructor(private readonly options: MemoryKeyValueStoreOptions) {
    const { clock } = options;
    this.entries = new LRUCache<string, string>({
      // The bound as a size of one per entry rather than `max`, which allocates room for every entry up front (for
      // 100,000: megabytes and tens of milliseconds per store, though most hold a handful of entries).
      maxSize: options.maxEntries ?? 100_000,
      sizeCalculation: () => 1,
      perf: { now: () => clock.now() },
      // Read the clock on every check instead of caching it for a millisecond, so a test's moved clock counts at once.
      ttlResolution: 0,
      dispose: (_value, _key, reason) => {
        if (reason === 'evict') this.evicted += 1;
      },
    });
  }

  get size(): number {
    return this.entries.size;
  }

  async get(key: string): Promise<string | undefined> {
    return this.entries.get(key);
  }

  async getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    return keys.map((key) => this.entries.get(key));
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.put(key, value, ttlMs);
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    if (this.entries.get(key) !== undefined) return false;
    this.put(key, value, ttlMs);
    return true;
  }

  async take(key: string): Promise<string | undefined> {
    const value = this.entries.get(key);
    this.entries.delete(key);
    return value;
  }

  async extendIfValue(key: string, value: string, ttlMs: number): Promise<boolean> {
    if (this.entries.get(key) !== value) return false;
    this.put(key, value, ttlMs);
    return true;
  }

  async deleteIfValue(key: string, value: string): Promise<void> {
    if (this.entries.get(key) === value) this.entries.delete(key);
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async addMember(key: string, member: string): Promise<void> {
    const set = new Set(this.membersNow(key));
    set.add(member);
    this.put(key, JSON.stringify([...set]), Infinity);
  }

  async removeMember(key: string, member: string): Promise<void> {
    const left = this.membersNow(key).filter((m) => m !== member);
    if (left.length === 0) this.entries.delete(key);
    else this.put(key, JSON.stringify(left), Infinity);
  }

  async members(key: string): Promise<string[]> {
    return this.membersNow(key);
  }

  private membersNow(key: string): string[] {
    const stored = this.entries.get(key);
    return stored === undefined ? [] : (JSON.parse(stored) as string[]);
  }

  /**
   * Replaces the value only when `test` accepts the current one, in one synchronous step (nothing can interleave).
   * 'gone' when there is no value, 'changed' when the test refused it.
   */
  replaceIf(
    key: string,
    test: (current: string) => boolean,
    value: string,
    ttlMs: number,
  ): 'written' | 'changed' | 'gone' {
    const current = this.entries.get(key);
    if (current === undefined) return 'gone';
    if (!test(current)) return 'changed';
    this.put(key, value, ttlMs);
    return 'written';
  }

  private put(key: string, value: string, ttlMs: number): void {
    // lru-cache reads a TTL of 0 as "never expires"; here it means "already expired", as in Redis.
    if (ttlMs <= 0) {
      this.entries.delete(key);
      return;
    }
    if (this.entries.size >= this.entries.maxSize && !this.entries.has(key)) this.sweepExpired();
    // lru-cache's TTL of 0 is "never expires": what an infinite TTL asks for.
    this.entries.set(key, value, { ttl: Number.isFinite(ttlMs) ? ttlMs : 0 });
  }

  /** Expired entries make room before live ones are evicted; a sweep is linear, so at most once a second. */
  private sweepExpired(): void {
    const now = this.options.clock.now();
    if (now - this.lastSweep < 1000) return;
    this.lastSweep = now;
    this.entries.purgeStale();
  }
}

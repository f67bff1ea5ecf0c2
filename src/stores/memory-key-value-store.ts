import type { Clock } from '../support/clock.js';
import type { KeyValueStore } from './key-value-store.js';

export interface MemoryKeyValueStoreOptions {
  clock: Clock;
  /** Upper bound on entries; past it, expired entries are swept and then the soonest-inserted dropped. */
  maxEntries?: number;
}

interface Entry {
  value: string;
  expiresAt: number;
}

/**
 * The single-instance store: bounded, so a flood of logouts or login attempts cannot grow the heap without limit.
 * Every operation finishes synchronously inside its promise, which is what makes the compare-and-set ones atomic.
 */
export class MemoryKeyValueStore implements KeyValueStore {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private lastSweep = Number.NEGATIVE_INFINITY;
  /** How many live entries had to be dropped to stay within the bound (exposed for metrics and tests). */
  evicted = 0;

  constructor(private readonly options: MemoryKeyValueStoreOptions) {
    this.maxEntries = options.maxEntries ?? 100_000;
  }

  get size(): number {
    return this.entries.size;
  }

  async get(key: string): Promise<string | undefined> {
    return this.live(key)?.value;
  }

  async getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    return keys.map((key) => this.live(key)?.value);
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.put(key, value, ttlMs);
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    if (this.live(key)) return false;
    this.put(key, value, ttlMs);
    return true;
  }

  async take(key: string): Promise<string | undefined> {
    const entry = this.live(key);
    this.entries.delete(key);
    return entry?.value;
  }

  async extendIfValue(key: string, value: string, ttlMs: number): Promise<boolean> {
    const entry = this.live(key);
    if (entry?.value !== value) return false;
    entry.expiresAt = this.options.clock.now() + ttlMs;
    return true;
  }

  async deleteIfValue(key: string, value: string): Promise<void> {
    if (this.live(key)?.value === value) this.entries.delete(key);
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  /**
   * Replaces the value only when `test` accepts the current one, in one synchronous step (nothing can interleave).
   * 'gone' when there is no value, 'changed' when the test refused it.
   */
  replaceIf(key: string, test: (current: string) => boolean, value: string, ttlMs: number): 'written' | 'changed' | 'gone' {
    const entry = this.live(key);
    if (!entry) return 'gone';
    if (!test(entry.value)) return 'changed';
    this.put(key, value, ttlMs);
    return 'written';
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.options.clock.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private put(key: string, value: string, ttlMs: number): void {
    if (ttlMs <= 0) {
      this.entries.delete(key);
      return;
    }
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.makeRoom();
    this.entries.set(key, { value, expiresAt: this.options.clock.now() + ttlMs });
  }

  private makeRoom(): void {
    const now = this.options.clock.now();
    // A full sweep is linear; at most once a second, so a flood of writes stays linear overall.
    if (now - this.lastSweep >= 1000) {
      this.lastSweep = now;
      for (const [key, entry] of this.entries) {
        if (entry.expiresAt <= now) this.entries.delete(key);
      }
    }
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
      this.evicted += 1;
    }
  }
}

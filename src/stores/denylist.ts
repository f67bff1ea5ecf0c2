import type { Clock } from '../clock.js';

/**
 * Access tokens that were logged out before they expired. Keyed by the token's `jti`, kept only until the token's
 * own expiry, since after that the signature check refuses it anyway.
 */
export interface AccessTokenDenylist {
  add(jti: string, expiresAtSeconds: number): Promise<void>;
  has(jti: string): Promise<boolean>;
}

export interface MemoryDenylistOptions {
  clock: Clock;
  /** Upper bound on entries; past it, expired entries are swept and then the soonest-inserted dropped. */
  maxEntries?: number;
}

/** The single-instance denylist: bounded, so a logout flood cannot grow the heap without limit. */
export class MemoryDenylist implements AccessTokenDenylist {
  private readonly entries = new Map<string, number>();
  private readonly maxEntries: number;
  private lastSweep = Number.NEGATIVE_INFINITY;
  /** How many live entries had to be dropped to stay within the bound (exposed for metrics and tests). */
  evicted = 0;

  constructor(private readonly options: MemoryDenylistOptions) {
    this.maxEntries = options.maxEntries ?? 100_000;
  }

  get size(): number {
    return this.entries.size;
  }

  async add(jti: string, expiresAtSeconds: number): Promise<void> {
    if (expiresAtSeconds * 1000 <= this.options.clock.now()) return;
    this.entries.delete(jti);
    if (this.entries.size >= this.maxEntries) this.makeRoom();
    this.entries.set(jti, expiresAtSeconds);
  }

  async has(jti: string): Promise<boolean> {
    const expiresAt = this.entries.get(jti);
    if (expiresAt === undefined) return false;
    if (expiresAt * 1000 <= this.options.clock.now()) {
      this.entries.delete(jti);
      return false;
    }
    return true;
  }

  private makeRoom(): void {
    const now = this.options.clock.now();
    // A full sweep is linear; at most once a second, so a flood of logouts stays linear overall.
    if (now - this.lastSweep >= 1000) {
      this.lastSweep = now;
      for (const [jti, expiresAt] of this.entries) {
        if (expiresAt * 1000 <= now) this.entries.delete(jti);
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

import type { Clock } from '../clock.js';
import type { KeyValueStore } from './key-value-store.js';

/**
 * Access tokens that were logged out before they expired (token mode). Keyed by the token's `jti`, kept only until the
 * token's own expiry, since after that the signature check refuses it anyway.
 */
export class AccessTokenDenylist {
  constructor(
    private readonly store: KeyValueStore,
    private readonly clock: Clock,
  ) {}

  async add(jti: string, expiresAtSeconds: number): Promise<void> {
    const ttlMs = expiresAtSeconds * 1000 - this.clock.now();
    if (ttlMs > 0) await this.store.set(`denied:${jti}`, '1', ttlMs);
  }

  async has(jti: string): Promise<boolean> {
    return (await this.store.get(`denied:${jti}`)) !== undefined;
  }
}

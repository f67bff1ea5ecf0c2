import { randomUUID } from 'node:crypto';
import type { Logger } from '../observability/logger.js';
import type { KeyValueStore } from '../stores/key-value-store.js';

export interface Lease {
  release(): Promise<void>;
}

/**
 * A lock with a lease, shared by every instance through the store. The holder renews the lease every third of its
 * length while it works, so a slow provider call can never outlive it (the flaw oauth2-proxy's fixed 2 s lease had);
 * a holder that dies stops renewing and the lease runs out, so nobody waits forever.
 */
export class LeaseLock {
  constructor(
    private readonly store: KeyValueStore,
    private readonly leaseMs: number,
    private readonly logger: Logger,
  ) {}

  async tryAcquire(name: string): Promise<Lease | undefined> {
    const key = `lock:${name}`;
    const owner = randomUUID();
    if (!(await this.store.setIfAbsent(key, owner, this.leaseMs))) return undefined;
    const renewal = setInterval(
      () => {
        this.store.extendIfValue(key, owner, this.leaseMs).then(
          (kept) => {
            if (!kept) this.logger.warn('lock.lost', { event: 'lock.lost', lock: name });
          },
          () => this.logger.warn('lock.renewal_failed', { event: 'lock.renewal_failed', lock: name }),
        );
      },
      Math.max(10, Math.floor(this.leaseMs / 3)),
    );
    renewal.unref();
    return {
      release: async () => {
        clearInterval(renewal);
        // A lost release only delays the next holder until the lease runs out.
        await this.store.deleteIfValue(key, owner).catch(() => undefined);
      },
    };
  }
}

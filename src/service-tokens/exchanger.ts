import { setTimeout as sleep } from 'node:timers/promises';
import type { IdentityProvider } from '../idp/identity-provider.js';
import type { Logger } from '../observability/logger.js';
import { LeaseLock } from '../sessions/lease-lock.js';
import type { KeyValueStore } from '../stores/key-value-store.js';
import type { Clock } from '../support/clock.js';
import { INVALID, type ExchangeOutcome, type Invalid, type ProviderRefusal } from './outcomes.js';
import type { CachedAccess, ServiceTokenRecord, ServiceTokenStore } from './service-token-store.js';

export interface ExchangerOptions {
  identityProvider: IdentityProvider;
  store: ServiceTokenStore;
  /** Where the refresh lock lives: shared by every instance. */
  shared: KeyValueStore;
  clock: Clock;
  logger: Logger;
  idpTimeoutMs: number;
}

type Fresh = { kind: 'fresh'; access: CachedAccess } | Invalid | ProviderRefusal;

const POLL_MS = 20;
// A cached access token is handed out while it has more than this left, or half its lifetime when that is shorter
// (a realm with one-minute access tokens would otherwise refresh on every exchange): a bot that received it must get
// time to use it, and a fleet must not turn into a stream of grants.
const MIN_LIFE_LEFT_MS = 60_000;

/**
 * Access tokens for service tokens, one refresh grant per service token at a time across all instances: in-process
 * single-flight, then the lease lock in the shared store (as the SessionRefresher), then a second look at the cache
 * under the lock, so a fleet of bots sharing a token costs one grant, and the rotated offline token is never
 * presented twice (Keycloak's reuse detection would end the offline session).
 */
export class ServiceTokenExchanger {
  private readonly inflight = new Map<string, Promise<Fresh>>();
  private readonly lock: LeaseLock;
  private readonly waitMs: number;

  constructor(private readonly options: ExchangerOptions) {
    this.lock = new LeaseLock(options.shared, options.idpTimeoutMs + 2000, options.logger);
    this.waitMs = 2 * options.idpTimeoutMs + 2000;
  }

  async accessFor(record: ServiceTokenRecord): Promise<ExchangeOutcome> {
    const fresh = await this.fresh(record.id);
    if (fresh.kind !== 'fresh') return fresh;
    const expiresIn = Math.max(0, Math.round((fresh.access.expiresAt - this.options.clock.now()) / 1000));
    return { kind: 'issued', accessToken: fresh.access.accessToken, expiresIn };
  }

  /** Runs `work` holding the token's refresh lock (revocation: no refresh may write the record back meanwhile). */
  async whileLocked<T>(id: string, work: () => Promise<T>): Promise<T | ProviderRefusal> {
    const deadline = performance.now() + this.waitMs;
    for (;;) {
      const lease = await this.lock.tryAcquire(lockName(id));
      if (lease) {
        try {
          return await work();
        } finally {
          await lease.release();
        }
      }
      if (performance.now() > deadline) return timedOut();
      await sleep(POLL_MS);
    }
  }

  private fresh(id: string): Promise<Fresh> {
    let running = this.inflight.get(id);
    if (!running) {
      running = this.freshOnce(id).finally(() => this.inflight.delete(id));
      this.inflight.set(id, running);
    }
    return running;
  }

  private async freshOnce(id: string): Promise<Fresh> {
    const deadline = performance.now() + this.waitMs;
    for (;;) {
      const cached = await this.options.store.cachedAccess(id);
      if (cached && this.usable(cached)) return { kind: 'fresh', access: cached };
      const lease = await this.lock.tryAcquire(lockName(id));
      if (lease) {
        try {
          return await this.refreshHoldingLock(id);
        } finally {
          await lease.release();
        }
      }
      if (performance.now() > deadline) return timedOut();
      await sleep(POLL_MS);
    }
  }

  private async refreshHoldingLock(id: string): Promise<Fresh> {
    const { store, identityProvider, clock, logger } = this.options;
    const cached = await store.cachedAccess(id);
    if (cached && this.usable(cached)) return { kind: 'fresh', access: cached };
    const record = await store.read(id);
    if (!record) return INVALID;
    const refreshed = await identityProvider.refresh(record.offlineToken);
    if (!refreshed.ok) {
      if (refreshed.error.code !== 'invalid_grant') return { kind: 'failed', error: refreshed.error };
      // The offline session has ended at the provider (revoked there, idle, reuse): the token is dead for good.
      await store.remove(record);
      logger.info('service_token.ended', { event: 'service_token.ended', tokenId: id, owner: record.owner });
      return INVALID;
    }
    const { tokens } = refreshed;
    if (tokens.refresh_token && tokens.refresh_token !== record.offlineToken) {
      await store.write({ ...record, offlineToken: tokens.refresh_token });
    }
    const now = clock.now();
    const access = { accessToken: tokens.access_token, issuedAt: now, expiresAt: now + tokens.expires_in * 1000 };
    await store.keepAccess(id, access);
    logger.info('service_token.refreshed', { event: 'service_token.refreshed', tokenId: id });
    return { kind: 'fresh', access };
  }

  private usable(access: CachedAccess): boolean {
    const left = access.expiresAt - this.options.clock.now();
    return left > Math.min(MIN_LIFE_LEFT_MS, (access.expiresAt - access.issuedAt) / 2);
  }
}

const lockName = (id: string) => `service-token:${id}`;

function timedOut(): ProviderRefusal {
  return {
    kind: 'failed',
    error: { code: 'idp_timeout', message: 'The refresh running on another request did not finish in time' },
  };
}

import { createRemoteJWKSet, customFetch, type JWTVerifyGetKey } from 'jose';
import type { Clock } from '../support/clock.js';
import { describeError } from '../observability/describe-error.js';
import type { Logger } from '../observability/logger.js';
import type { Fetch } from './provider-fetch.js';

// Past this age the key set is fetched again in the background, while requests go on with it...
const REFRESH_AFTER_MS = 20_000;
// ...and past this one a verification waits for the new set: a key the realm removed is refused within 30 s.
const STALE_AFTER_MS = 30_000;
// A provider that failed is asked again this much later, not on every request.
const RETRY_AFTER_MS = 5_000;
// A token naming a key the set lacks refetches at most this often: a flood of made-up kids is not a flood of fetches.
const UNKNOWN_KID_COOLDOWN_MS = 30_000;
// While the provider cannot be reached the set it last gave serves this long, then verifications fail (503/504).
const MAX_AGE_MS = 10 * 60_000;

export interface RealmKeySetOptions {
  jwksUri: string;
  fetch: Fetch;
  timeoutMs: number;
  clock: Clock;
  logger: Logger;
}

/**
 * The realm's key set, kept no older than ~30 s while it is used, without a provider call on every verification: jose
 * fetches, checks and picks the keys; when to fetch is decided here, on the gateway's clock (jose's own refetch on an
 * unknown kid and its cache age are switched off). One fetch in flight at a time.
 *
 * `generation` moves with every key set fetched, so that a verification remembered under an older one can ask
 * whether its key is still there (`has`).
 */
export class RealmKeySet {
  readonly getKey: JWTVerifyGetKey;
  private readonly remote: ReturnType<typeof createRemoteJWKSet>;
  private kids: ReadonlySet<string> = new Set();
  private fetchedAt: number | undefined;
  private attemptedAt = Number.NEGATIVE_INFINITY;
  /** The last fetch failed (and none succeeded since): requests do not wait for the next one. */
  private failure: unknown;
  private inflight: Promise<void> | undefined;
  generation = 0;

  constructor(private readonly options: RealmKeySetOptions) {
    this.remote = createRemoteJWKSet(new URL(options.jwksUri), {
      timeoutDuration: options.timeoutMs,
      cooldownDuration: Number.POSITIVE_INFINITY,
      cacheMaxAge: Number.POSITIVE_INFINITY,
      [customFetch]: (url: string, init: RequestInit) => options.fetch(url, init),
    });
    this.getKey = this.remote;
  }

  has(kid: string): boolean {
    return this.kids.has(kid);
  }

  /**
   * Before a verification: undefined when the set may be used at once (nearly always), else a promise that settles
   * when it may, rejecting with the provider's failure when there is no set to use.
   */
  ready(): Promise<void> | undefined {
    if (this.fetchedAt === undefined) return this.reload();
    const now = this.options.clock.now();
    const age = now - this.fetchedAt;
    if (age < REFRESH_AFTER_MS) return undefined;
    if (!this.inflight && now - this.attemptedAt >= RETRY_AFTER_MS) this.reload().catch(() => undefined);
    if (age < STALE_AFTER_MS) return undefined;
    // Not every request waits for a provider that failed last time, unless there is no set left to use meanwhile.
    if (this.inflight && (this.failure === undefined || age >= MAX_AGE_MS))
      return this.inflight.then(undefined, () => this.usable());
    return this.usable();
  }

  /**
   * A token straight from the provider's token endpoint names a key the set lacks: the provider has a new one. Only
   * the provider mints those tokens, so this refetches at once, cooldown or not. A fetch already under way may have
   * been sent before the key existed: if the set it brings lacks the key too, one more is made.
   */
  async reloadForIssuedKey(kid: unknown): Promise<void> {
    if (this.inflight) {
      await this.inflight.catch(() => undefined);
      if (typeof kid === 'string' && this.kids.has(kid)) return;
    }
    await this.reload();
  }

  /** A client's token names a key the set lacks: refetched unless one was tried within the cooldown. */
  reloadForUnknownKey(): Promise<void> | undefined {
    if (this.options.clock.now() - this.attemptedAt < UNKNOWN_KID_COOLDOWN_MS) return undefined;
    return this.reload();
  }

  private reload(): Promise<void> {
    this.inflight ??= this.fetchOnce().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async fetchOnce(): Promise<void> {
    const startedAt = this.options.clock.now();
    this.attemptedAt = startedAt;
    try {
      await this.remote.reload();
    } catch (err) {
      this.failure = err;
      this.options.logger.warn('idp.keys.fetch_failed', { event: 'idp.keys.fetch_failed', cause: describeError(err) });
      throw err;
    }
    this.failure = undefined;
    this.fetchedAt = startedAt;
    this.kids = new Set(
      (this.remote.jwks()?.keys ?? []).flatMap((jwk) => (typeof jwk.kid === 'string' ? [jwk.kid] : [])),
    );
    this.generation += 1;
  }

  /** The set the provider gave last, unless it is too old to trust without the provider confirming it. */
  private usable(): Promise<void> | undefined {
    const age = this.options.clock.now() - (this.fetchedAt ?? Number.NEGATIVE_INFINITY);
    if (age < MAX_AGE_MS || this.failure === undefined) return undefined;
    return Promise.reject(this.failure);
  }
}

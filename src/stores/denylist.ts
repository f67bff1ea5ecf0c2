import type { Clock } from '../support/clock.js';
import type { KeyValueStore } from './key-value-store.js';

/**
 * How long a logged-out session stays denied when no access token seen so far lived longer. The gateway cannot read
 * the realm's access-token lifespan (Keycloak's default is 5 minutes; realms rarely go past an hour); keeping a dead
 * session's id longer costs one small key and refuses nothing alive, since Keycloak never reuses a session id.
 */
const SESSION_DENIAL_FLOOR_SECONDS = 3600;
// Beyond the longest lifetime seen: the verifier's clock tolerance and the provider's clock running ahead of ours.
const SESSION_DENIAL_MARGIN_SECONDS = 60;

export interface DeniableToken {
  jti: string | undefined;
  sid: string | undefined;
}

/**
 * Access tokens that were logged out before they expired (token mode), by two keys: one token by its `jti`, kept
 * only until that token's own expiry; every token of a Keycloak session by its `sid`, kept as long as an access token
 * of that session can live (the longest access-token lifetime this instance has seen, at least an hour).
 */
export class AccessTokenDenylist {
  private longestLifetimeSeconds = 0;

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

  /** Refuses every access token of the session; the caller must have verified that the session really ended. */
  async addSession(sid: string): Promise<void> {
    const seconds = Math.max(SESSION_DENIAL_FLOOR_SECONDS, this.longestLifetimeSeconds + SESSION_DENIAL_MARGIN_SECONDS);
    await this.store.set(`denied-session:${sid}`, '1', seconds * 1000);
  }

  /** Whether the token itself or its session was logged out: one read of the store for both. */
  async refuses({ jti, sid }: DeniableToken): Promise<boolean> {
    const keys: string[] = [];
    if (jti) keys.push(`denied:${jti}`);
    if (sid) keys.push(`denied-session:${sid}`);
    if (keys.length === 0) return false;
    return (await this.store.getMany(keys)).some((value) => value !== undefined);
  }

  /** An access token lives this long (a token response's `expires_in`): session denials must outlast it. */
  noteLifetime(seconds: number): void {
    if (Number.isFinite(seconds) && seconds > this.longestLifetimeSeconds) this.longestLifetimeSeconds = seconds;
  }

  /** A verified access token expires then; what is left of its life is at most its lifetime, so it is a lower bound. */
  noteExpiry(expiresAtSeconds: number): void {
    this.noteLifetime(expiresAtSeconds - this.clock.now() / 1000);
  }
}

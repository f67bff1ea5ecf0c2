import type { SessionCodec } from '../sessions/session-codec.js';
import type { KeyValueStore } from '../stores/key-value-store.js';
import type { Clock } from '../support/clock.js';

/** What the gateway keeps about a service token: never its secret, and the offline token only sealed. */
export interface ServiceTokenRecord {
  id: string;
  secretHash: string;
  name: string;
  /** The username the token acts for. */
  owner: string;
  sub: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  /** Milliseconds since the epoch; null: never expires. */
  expiresAt: number | null;
  /** The provider's offline refresh token, the newest of its rotations. */
  offlineToken: string;
}

/** An access token the provider issued for a service token, kept to answer the next exchanges with. */
export interface CachedAccess {
  accessToken: string;
  issuedAt: number;
  expiresAt: number;
}

// An expired token is kept this long after it expires, so that it answers service_token_expired, not _invalid.
const KEPT_AFTER_EXPIRY_MS = 30 * 24 * 3600 * 1000;
const RECORD_LABEL = 'service-token';
const ACCESS_LABEL = 'service-access';

/**
 * Service tokens in the durable store (Redis, or memory that never evicts). Records and cached access tokens are sealed
 * with the session codec; the per-owner index and the last use are plain (ids and times).
 */
export class ServiceTokenStore {
  constructor(
    private readonly kv: KeyValueStore,
    private readonly codec: SessionCodec,
    private readonly clock: Clock,
  ) {}

  async read(id: string): Promise<ServiceTokenRecord | undefined> {
    const stored = await this.kv.get(recordKey(id));
    const plain = stored === undefined ? undefined : this.codec.unseal(stored);
    return plain === undefined ? undefined : (JSON.parse(plain) as ServiceTokenRecord);
  }

  async write(record: ServiceTokenRecord): Promise<void> {
    await this.kv.set(recordKey(record.id), this.codec.seal(RECORD_LABEL, JSON.stringify(record)), this.ttlOf(record));
    await this.kv.addMember(ownerKey(record.owner), record.id);
  }

  async remove(record: ServiceTokenRecord): Promise<void> {
    await this.kv.delete(recordKey(record.id));
    await this.kv.delete(accessKey(record.id));
    await this.kv.delete(usedKey(record.id));
    await this.kv.removeMember(ownerKey(record.owner), record.id);
  }

  /** The owner's tokens; ids whose record has gone (expired long ago) are dropped from the index on the way. */
  async listOf(owner: string): Promise<{ record: ServiceTokenRecord; lastUsedAt: number | null }[]> {
    const ids = (await this.kv.members(ownerKey(owner))).sort();
    const found = [];
    for (const id of ids) {
      const record = await this.read(id);
      if (!record || record.owner !== owner) {
        await this.kv.removeMember(ownerKey(owner), id);
        continue;
      }
      found.push({ record, lastUsedAt: await this.lastUsed(id) });
    }
    return found.sort((a, b) => a.record.createdAt - b.record.createdAt);
  }

  async lastUsed(id: string): Promise<number | null> {
    const stored = await this.kv.get(usedKey(id));
    return stored === undefined ? null : Number(stored);
  }

  async touch(record: ServiceTokenRecord): Promise<void> {
    await this.kv.set(usedKey(record.id), String(this.clock.now()), this.ttlOf(record));
  }

  async cachedAccess(id: string): Promise<CachedAccess | undefined> {
    const stored = await this.kv.get(accessKey(id));
    const plain = stored === undefined ? undefined : this.codec.unseal(stored);
    return plain === undefined ? undefined : (JSON.parse(plain) as CachedAccess);
  }

  async keepAccess(id: string, access: CachedAccess): Promise<void> {
    const ttl = access.expiresAt - this.clock.now();
    await this.kv.set(accessKey(id), this.codec.seal(ACCESS_LABEL, JSON.stringify(access)), ttl);
  }

  private ttlOf(record: ServiceTokenRecord): number {
    return record.expiresAt === null ? Infinity : record.expiresAt - this.clock.now() + KEPT_AFTER_EXPIRY_MS;
  }
}

const recordKey = (id: string) => `st:token:${id}`;
const accessKey = (id: string) => `st:access:${id}`;
const usedKey = (id: string) => `st:used:${id}`;
const ownerKey = (owner: string) => `st:owner:${owner}`;

import type { KeyValueStore } from './key-value-store.js';
import type { RedisClient } from './redis-client.js';
import { guarded } from './store-unavailable.js';

// Compare-and-act scripts: the check and the change happen in one step inside Redis.
const EXTEND_IF_VALUE =
  "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end";
const DELETE_IF_VALUE =
  "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

/** The shared store for many instances: every key lives under one prefix, every entry with a TTL but the durable ones. */
export class RedisKeyValueStore implements KeyValueStore {
  constructor(
    private readonly client: RedisClient,
    private readonly prefix = 'authgate:',
  ) {}

  get(key: string): Promise<string | undefined> {
    return guarded(async () => (await this.client.get(this.prefix + key)) ?? undefined);
  }

  getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    return guarded(async () =>
      (await this.client.mGet(keys.map((key) => this.prefix + key))).map((value) => value ?? undefined),
    );
  }

  set(key: string, value: string, ttlMs: number): Promise<void> {
    return guarded(async () => {
      if (ttlMs <= 0) await this.client.del(this.prefix + key);
      else if (!Number.isFinite(ttlMs)) await this.client.set(this.prefix + key, value);
      else await this.client.set(this.prefix + key, value, { expiration: { type: 'PX', value: Math.ceil(ttlMs) } });
    });
  }

  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    return guarded(async () => {
      const reply = await this.client.set(this.prefix + key, value, {
        condition: 'NX',
        expiration: { type: 'PX', value: Math.ceil(ttlMs) },
      });
      return reply === 'OK';
    });
  }

  take(key: string): Promise<string | undefined> {
    return guarded(async () => (await this.client.getDel(this.prefix + key)) ?? undefined);
  }

  extendIfValue(key: string, value: string, ttlMs: number): Promise<boolean> {
    return guarded(async () => {
      const reply = await this.client.eval(EXTEND_IF_VALUE, {
        keys: [this.prefix + key],
        arguments: [value, String(Math.ceil(ttlMs))],
      });
      return reply === 1;
    });
  }

  deleteIfValue(key: string, value: string): Promise<void> {
    return guarded(async () => {
      await this.client.eval(DELETE_IF_VALUE, { keys: [this.prefix + key], arguments: [value] });
    });
  }

  delete(key: string): Promise<void> {
    return guarded(async () => {
      await this.client.del(this.prefix + key);
    });
  }

  addMember(key: string, member: string): Promise<void> {
    return guarded(async () => {
      await this.client.sAdd(this.prefix + key, member);
    });
  }

  removeMember(key: string, member: string): Promise<void> {
    return guarded(async () => {
      await this.client.sRem(this.prefix + key, member);
    });
  }

  members(key: string): Promise<string[]> {
    return guarded(async () => this.client.sMembers(this.prefix + key));
  }
}

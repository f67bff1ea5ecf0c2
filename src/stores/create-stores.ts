import { createHash } from 'node:crypto';
import type { Store as RateLimitStore } from 'express-rate-limit';
import { RedisStore as RateLimitRedisStore, type RedisReply } from 'rate-limit-redis';
import type { Clock } from '../support/clock.js';
import { ApiError } from '../errors/api-error.js';
import type { Logger } from '../observability/logger.js';
import { AccessTokenDenylist } from './denylist.js';
import type { KeyValueStore } from './key-value-store.js';
import { MemoryKeyValueStore } from './memory-key-value-store.js';
import { connectRedis, disconnectRedis, type RedisClient } from './redis-client.js';
import { RedisKeyValueStore } from './redis-key-value-store.js';
import { guarded } from './store-unavailable.js';

/**
 * The shared state below the sessions, in memory for one instance or in Redis for many: key-value entries, the
 * denylist and rate-limit counters. The session store is built on it by sessions/create-session-store.ts.
 */
export interface Stores {
  /** 'memory' or 'redis', for logs and readiness. */
  readonly kind: 'memory' | 'redis';
  /** The Redis connection and the key namespace, for stores built on top (the sessions); undefined in memory. */
  readonly redis: { readonly client: RedisClient; readonly prefix: string } | undefined;
  /** Refresh locks and results, pending code-flow logins. */
  readonly shared: KeyValueStore;
  /**
   * What must never be dropped to make room (service tokens): in Redis the same keys as `shared`; in memory a store
   * without a bound, as a service token is never evicted.
   */
  readonly durable: KeyValueStore;
  readonly denylist: AccessTokenDenylist;
  /** A rate-limit store under its own name; undefined means express-rate-limit's memory store. */
  rateLimitStore(name: string): RateLimitStore | undefined;
  /** Throws session_store_unavailable when Redis does not answer. */
  checkReady(): Promise<void>;
  close(): Promise<void>;
}

export interface CreateStoresOptions {
  redisUrl: string | undefined;
  clock: Clock;
  logger: Logger;
  /** An already connected client (tests share one); otherwise one is made from redisUrl. */
  redisClient?: RedisClient;
  /** Namespace of every Redis key; gateways that share sessions must share it. */
  keyPrefix?: string;
}

export function createStores(options: CreateStoresOptions): Stores {
  const { redisUrl, clock, logger } = options;
  if (!redisUrl && !options.redisClient) return memoryStores(clock);
  const client = options.redisClient ?? connectRedis(redisUrl ?? '', logger);
  const ownsClient = !options.redisClient;
  const prefix = options.keyPrefix ?? 'authgate:';
  const shared = new RedisKeyValueStore(client, prefix);
  return {
    kind: 'redis',
    redis: { client, prefix },
    shared,
    durable: shared,
    denylist: new AccessTokenDenylist(shared, clock),
    rateLimitStore: (name) =>
      new RateLimitRedisStore({ prefix: `${prefix}rl:${name}:`, sendCommand: rateLimitCommand(client) }),
    checkReady: () => guarded(async () => void (await client.ping())),
    close: async () => {
      if (ownsClient) await disconnectRedis(client);
    },
  };
}

function memoryStores(clock: Clock): Stores {
  return {
    kind: 'memory',
    redis: undefined,
    shared: new MemoryKeyValueStore({ clock }),
    durable: new MemoryKeyValueStore({ clock, maxEntries: Number.MAX_SAFE_INTEGER }),
    // Its own bound: a flood of login attempts must not push logged-out tokens off the denylist.
    denylist: new AccessTokenDenylist(new MemoryKeyValueStore({ clock }), clock),
    rateLimitStore: () => undefined,
    checkReady: async () => undefined,
    close: async () => undefined,
  };
}

/**
 * rate-limit-redis loads its Lua scripts once, when the limiter is built, and keeps the promise: if Redis is down at
 * that moment, the rejected promise would fail every later request even after Redis is back. SCRIPT LOAD answers the
 * script's SHA-1, which is known without Redis, so a failed load answers it locally; Redis then says NOSCRIPT on first
 * use and the library loads the script again. Every other failure is the contract's session_store_unavailable.
 */
function rateLimitCommand(client: RedisClient): (...args: string[]) => Promise<RedisReply> {
  return async (...args) => {
    if (args[0] === 'SCRIPT' && args[1] === 'LOAD' && args[2] !== undefined) {
      const script = args[2];
      return guarded(() => client.sendCommand(args) as Promise<RedisReply>).catch(() =>
        createHash('sha1').update(script).digest('hex'),
      );
    }
    return guarded(() => client.sendCommand(args) as Promise<RedisReply>).catch((err: unknown) => {
      // The library answers NOSCRIPT itself, by loading the script again: it must see Redis's own error.
      const cause = err instanceof ApiError ? err.cause : err;
      throw cause instanceof Error && cause.message.startsWith('NOSCRIPT') ? cause : err;
    });
  };
}

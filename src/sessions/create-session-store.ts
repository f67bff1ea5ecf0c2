import type { Logger } from '../observability/logger.js';
import type { Stores } from '../stores/create-stores.js';
import type { Clock } from '../support/clock.js';
import { MemorySessionStore } from './memory-session-store.js';
import { RedisSessionStore } from './redis-session-store.js';
import type { SessionCodec } from './session-codec.js';
import type { VersionedSessionStore } from './versioned-session-store.js';

/** The session store on the same footing as the other stores: Redis when they use Redis, memory otherwise. */
export function createSessionStore(
  stores: Stores,
  options: { codec: SessionCodec; clock: Clock; logger: Logger },
): VersionedSessionStore {
  const { codec, clock, logger } = options;
  if (!stores.redis) return new MemorySessionStore({ codec, clock });
  return new RedisSessionStore({
    client: stores.redis.client,
    codec,
    clock,
    logger,
    prefix: `${stores.redis.prefix}sess:`,
  });
}

import { RedisStore } from 'connect-redis';
import type { SessionData } from 'express-session';
import type { Clock } from '../support/clock.js';
import type { Logger } from '../observability/logger.js';
import type { RedisClient } from '../stores/redis-client.js';
import { guarded } from '../stores/store-unavailable.js';
import type { SessionCodec } from './session-codec.js';
import { UnreadableSessionError } from './session-codec.js';
import {
  sessionTtlSeconds,
  settle,
  type ReplaceOutcome,
  type VersionedSessionStore,
} from './versioned-session-store.js';

type Callback<T = unknown> = (err: unknown, value?: T) => void;

// Compare-and-set on the readable version in front of the ciphertext, in one step inside Redis.
const REPLACE_IF_VERSION = `
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
local dot = string.find(current, '.', 1, true)
if not dot or string.sub(current, 1, dot - 1) ~= ARGV[1] then return -1 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1`;

export interface RedisSessionStoreOptions {
  client: RedisClient;
  codec: SessionCodec;
  clock: Clock;
  logger: Logger;
  prefix?: string;
}

/**
 * connect-redis with what a gateway needs on top: sessions encrypted by the serializer, a TTL that follows the
 * refresh token, no EXPIRE on every read (disableTouch), a compare-and-set write for refreshes, and every Redis failure
 * reported as `session_store_unavailable`.
 */
export class RedisSessionStore extends RedisStore implements VersionedSessionStore {
  private readonly redis: RedisClient;
  private readonly codec: SessionCodec;
  private readonly logger: Logger;
  private readonly clock: Clock;

  constructor(options: RedisSessionStoreOptions) {
    super({
      client: options.client,
      prefix: options.prefix ?? 'authgate:sess:',
      serializer: options.codec,
      ttl: (session: SessionData) => sessionTtlSeconds(session, options.clock),
      disableTouch: true,
    });
    this.redis = options.client;
    this.codec = options.codec;
    this.logger = options.logger;
    this.clock = options.clock;
  }

  async read(sid: string): Promise<SessionData | undefined> {
    const stored = await this.readStored(sid);
    return stored === undefined ? undefined : this.decode(stored);
  }

  async readStored(sid: string): Promise<string | undefined> {
    return (await guarded(() => this.redis.get(this.prefix + sid))) ?? undefined;
  }

  decode(stored: string): SessionData | undefined {
    try {
      return this.codec.parse(stored);
    } catch (err) {
      if (!(err instanceof UnreadableSessionError)) throw err;
      this.logger.warn('session.unreadable', {
        event: 'session.unreadable',
        reason: 'written under another SESSION_SECRET, or altered',
      });
      return undefined;
    }
  }

  async replaceIfVersion(sid: string, expected: number, session: SessionData): Promise<ReplaceOutcome> {
    const ttl = sessionTtlSeconds(session, this.clock);
    if (ttl <= 0) {
      await this.remove(sid);
      return 'gone';
    }
    const reply = await guarded(() =>
      this.redis.eval(REPLACE_IF_VERSION, {
        keys: [this.prefix + sid],
        arguments: [String(expected), this.codec.stringify(session), String(ttl)],
      }),
    );
    return reply === 1 ? 'written' : reply === 0 ? 'gone' : 'changed';
  }

  async remove(sid: string): Promise<void> {
    await guarded(() => this.redis.del(this.prefix + sid));
  }

  override async get(sid: string, cb?: Callback<SessionData | null>): Promise<void> {
    settle(
      this.read(sid).then((s) => s ?? null),
      cb,
    );
  }

  override async set(sid: string, session: SessionData, cb?: Callback): Promise<void> {
    settle(
      guarded(() => super.set(sid, session)),
      cb,
    );
  }

  override async destroy(sid: string, cb?: Callback): Promise<void> {
    settle(this.remove(sid), cb);
  }
}

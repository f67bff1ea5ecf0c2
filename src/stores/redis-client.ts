import { createClient } from 'redis';
import type { Logger } from '../observability/logger.js';

export type RedisClient = ReturnType<typeof createClient>;

/**
 * A node-redis client that fails fast while Redis is away instead of queueing: no offline queue and a short connect
 * timeout, so a request answers 503 within a second and never hangs. Every call also runs under `guarded`'s deadline,
 * which is why no per-command timeout is set here (it would cost a timer and an AbortSignal per command for the same
 * protection). It reconnects by itself, so service resumes when Redis returns. The connection is started but not
 * awaited: the gateway starts while Redis is down, as it does while the identity provider is.
 */
export function connectRedis(url: string, logger: Logger): RedisClient {
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 1000,
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1000),
    },
  });
  let reported = false;
  client.on('error', (err: unknown) => {
    // Every failed reconnect attempt raises an error; one warning per outage is enough.
    if (reported) return;
    reported = true;
    logger.warn('redis.unavailable', {
      event: 'redis.unavailable',
      error: err instanceof Error ? err.message : String(err),
    });
  });
  client.on('ready', () => {
    if (reported) logger.info('redis.recovered', { event: 'redis.recovered' });
    reported = false;
  });
  client.connect().catch(() => {
    // Reported by the error listener; the reconnect strategy keeps trying.
  });
  return client;
}

/** Closes the client without waiting for a Redis that may not be there. */
export async function disconnectRedis(client: RedisClient): Promise<void> {
  if (!client.isOpen) return;
  try {
    if (client.isReady) await client.close();
    else client.destroy();
  } catch {
    client.destroy();
  }
}

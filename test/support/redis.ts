import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import type { RedisClient } from '../../src/stores/redis-client.js';

export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * A client for the Redis the suites share, or undefined when none answers. Under CI=true a missing Redis is a
 * failure, never a silent skip; elsewhere the suite says it skipped.
 */
export async function testRedis(suite: string): Promise<RedisClient | undefined> {
  const client = createClient({
    url: TEST_REDIS_URL,
    disableOfflineQueue: true,
    socket: { connectTimeout: 1000, reconnectStrategy: false },
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return client as unknown as RedisClient;
  } catch (err) {
    client.destroy();
    if (process.env.CI === 'true')
      throw new Error(
        `${suite}: Redis at ${TEST_REDIS_URL} is required under CI=true and does not answer (${String(err)})`,
      );
    console.warn(`SKIPPED ${suite}: no Redis at ${TEST_REDIS_URL} (set REDIS_URL, or start redis-server)`);
    return undefined;
  }
}

/** A key prefix of the test's own, so suites running side by side on one Redis never see each other's keys. */
export function uniquePrefix(suite: string): string {
  return `authgate-test:${suite}:${randomUUID()}:`;
}

export async function keysUnder(client: RedisClient, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const batch of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) keys.push(...batch);
  return keys;
}

export async function removeKeys(client: RedisClient, prefix: string): Promise<void> {
  const keys = await keysUnder(client, prefix);
  if (keys.length > 0) await client.del(keys);
}

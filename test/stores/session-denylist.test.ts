import { afterAll, describe, expect, it } from '@jest/globals';
import { AccessTokenDenylist } from '../../src/stores/denylist.js';
import { MemoryKeyValueStore } from '../../src/stores/memory-key-value-store.js';
import type { RedisClient } from '../../src/stores/redis-client.js';
import { RedisKeyValueStore } from '../../src/stores/redis-key-value-store.js';
import { MovableClock } from '../support/clock.js';
import { removeKeys, testRedis, uniquePrefix } from '../support/redis.js';

const redis = await testRedis('session denylist');
const describeWithRedis = redis ? describe : describe.skip;
const prefix = uniquePrefix('session-denylist');
afterAll(async () => {
  if (redis) await removeKeys(redis, prefix);
  redis?.destroy();
});

function memoryDenylist(): { clock: MovableClock; denylist: AccessTokenDenylist } {
  const clock = new MovableClock();
  return { clock, denylist: new AccessTokenDenylist(new MemoryKeyValueStore({ clock }), clock) };
}

describe('denying a whole session', () => {
  it('refuses every token of the session, and only of that session, for an hour when no access token seen lived longer', async () => {
    const { clock, denylist } = memoryDenylist();
    denylist.noteLifetime(300);
    await denylist.addSession('session-1');
    expect(await denylist.refuses({ jti: 'any', sid: 'session-1' })).toBe(true);
    expect(await denylist.refuses({ jti: undefined, sid: 'session-1' })).toBe(true);
    expect(await denylist.refuses({ jti: 'any', sid: 'session-2' })).toBe(false);
    clock.advanceSeconds(3599);
    expect(await denylist.refuses({ jti: undefined, sid: 'session-1' })).toBe(true);
    clock.advanceSeconds(2);
    expect(await denylist.refuses({ jti: undefined, sid: 'session-1' })).toBe(false);
  });

  it('keeps the session denied for the longest access-token lifetime seen plus a minute when that is past an hour', async () => {
    const { clock, denylist } = memoryDenylist();
    denylist.noteLifetime(7200);
    denylist.noteLifetime(300);
    await denylist.addSession('session-1');
    clock.advanceSeconds(7200 + 59);
    expect(await denylist.refuses({ jti: undefined, sid: 'session-1' })).toBe(true);
    clock.advanceSeconds(2);
    expect(await denylist.refuses({ jti: undefined, sid: 'session-1' })).toBe(false);
  });

  it('learns a lifetime from what is left of a verified token too', async () => {
    const { clock, denylist } = memoryDenylist();
    denylist.noteExpiry(clock.now() / 1000 + 5400);
    await denylist.addSession('session-1');
    clock.advanceSeconds(5400 + 30);
    expect(await denylist.refuses({ jti: undefined, sid: 'session-1' })).toBe(true);
  });

  it('still refuses a single logged-out token by its jti, whatever its session', async () => {
    const { clock, denylist } = memoryDenylist();
    await denylist.add('jti-1', clock.now() / 1000 + 60);
    expect(await denylist.refuses({ jti: 'jti-1', sid: 'session-1' })).toBe(true);
    expect(await denylist.refuses({ jti: 'jti-2', sid: 'session-1' })).toBe(false);
    expect(await denylist.refuses({ jti: undefined, sid: undefined })).toBe(false);
  });
});

describeWithRedis('the session denylist in Redis', () => {
  it('reads several keys in one MGET, in order, a missing one as undefined', async () => {
    const store = new RedisKeyValueStore(redis as RedisClient, prefix);
    await store.set('a', '1', 60_000);
    await store.set('c', '3', 60_000);
    expect(await store.getMany(['a', 'b', 'c'])).toEqual(['1', undefined, '3']);
  });

  it('stores a session denial under its own key, with an hour to live', async () => {
    const clock = new MovableClock();
    const denylist = new AccessTokenDenylist(new RedisKeyValueStore(redis as RedisClient, prefix), clock);
    await denylist.addSession('session-9');
    const ttl = await (redis as RedisClient).pTTL(`${prefix}denied-session:session-9`);
    expect(ttl).toBeGreaterThan(3_590_000);
    expect(ttl).toBeLessThanOrEqual(3_600_000);
    expect(await denylist.refuses({ jti: 'unrelated', sid: 'session-9' })).toBe(true);
  });
});

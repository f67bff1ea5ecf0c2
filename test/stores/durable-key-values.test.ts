import { afterAll, describe, expect, it } from '@jest/globals';
import type { KeyValueStore } from '../../src/stores/key-value-store.js';
import { MemoryKeyValueStore } from '../../src/stores/memory-key-value-store.js';
import { RedisKeyValueStore } from '../../src/stores/redis-key-value-store.js';
import { createStores } from '../../src/stores/create-stores.js';
import { MovableClock } from '../support/clock.js';
import { captureLogs } from '../support/logs.js';
import { removeKeys, testRedis, uniquePrefix } from '../support/redis.js';

const redis = await testRedis('durable key values');
const prefix = uniquePrefix('durable-kv');
afterAll(async () => {
  if (redis) await removeKeys(redis, prefix);
  redis?.destroy();
});

const YEAR_MS = 365 * 24 * 3600 * 1000;
const stores: [string, (clock: MovableClock) => KeyValueStore][] = [
  ['memory', (clock) => new MemoryKeyValueStore({ clock })],
  ...(redis ? [['redis', () => new RedisKeyValueStore(redis, prefix)] as [string, () => KeyValueStore]] : []),
];

describe.each(stores)('the %s key-value store, for what must last', (_kind, make) => {
  it('keeps a value written with an infinite TTL until it is deleted', async () => {
    const clock = new MovableClock();
    const store = make(clock);
    await store.set('forever', 'v', Infinity);
    clock.advance(10 * YEAR_MS);
    expect(await store.get('forever')).toBe('v');
    await store.delete('forever');
    expect(await store.get('forever')).toBeUndefined();
  });

  it('adds, lists and removes the members of a set, each once', async () => {
    const store = make(new MovableClock());
    expect(await store.members('set')).toEqual([]);
    await store.addMember('set', 'a');
    await store.addMember('set', 'b');
    await store.addMember('set', 'a');
    expect((await store.members('set')).sort()).toEqual(['a', 'b']);
    await store.removeMember('set', 'a');
    await store.removeMember('set', 'nobody');
    expect(await store.members('set')).toEqual(['b']);
    await store.removeMember('set', 'b');
    expect(await store.members('set')).toEqual([]);
  });
});

describe('the durable store of the in-memory stores', () => {
  it('evicts nothing to make room, unlike the shared one', async () => {
    const clock = new MovableClock();
    const { durable } = createStores({ redisUrl: undefined, clock, logger: captureLogs().logger });
    for (let i = 0; i < 100_001; i += 1) await durable.set(`k${i}`, 'v', Infinity);
    expect(await durable.get('k0')).toBe('v');
    expect((durable as MemoryKeyValueStore).evicted).toBe(0);
  });
});

import { describe, expect, it } from '@jest/globals';
import { AccessTokenDenylist } from '../../src/stores/denylist.js';
import { MemoryKeyValueStore } from '../../src/stores/memory-key-value-store.js';
import { MovableClock } from '../support/clock.js';

const inSeconds = (clock: MovableClock, s: number) => Math.floor(clock.now() / 1000) + s;

describe('the in-memory key-value store', () => {
  it('forgets an entry when its TTL runs out', async () => {
    const clock = new MovableClock();
    const store = new MemoryKeyValueStore({ clock });
    await store.set('k', 'v', 1000);
    expect(await store.get('k')).toBe('v');
    clock.advance(1001);
    expect(await store.get('k')).toBeUndefined();
    expect(store.size).toBe(0);
  });

  it('hands a taken value to one reader only', async () => {
    const store = new MemoryKeyValueStore({ clock: new MovableClock() });
    await store.set('k', 'v', 60_000);
    expect(await Promise.all([store.take('k'), store.take('k')])).toEqual(['v', undefined]);
  });

  it('sets if absent, extends and deletes only for the holder of the value', async () => {
    const clock = new MovableClock();
    const store = new MemoryKeyValueStore({ clock });
    expect(await store.setIfAbsent('lock', 'me', 1000)).toBe(true);
    expect(await store.setIfAbsent('lock', 'you', 1000)).toBe(false);
    expect(await store.extendIfValue('lock', 'you', 5000)).toBe(false);
    expect(await store.extendIfValue('lock', 'me', 5000)).toBe(true);
    clock.advance(2000);
    await store.deleteIfValue('lock', 'you');
    expect(await store.get('lock')).toBe('me');
    await store.deleteIfValue('lock', 'me');
    expect(await store.get('lock')).toBeUndefined();
  });

  it('stays within its bound: expired entries go first, then the oldest live ones, counted as evicted', async () => {
    const clock = new MovableClock();
    const store = new MemoryKeyValueStore({ clock, maxEntries: 3 });
    await store.set('short', '1', 5000);
    await store.set('a', '1', 600_000);
    await store.set('b', '1', 600_000);
    clock.advance(10_000);
    await store.set('c', '1', 600_000);
    expect(store.evicted).toBe(0);
    expect([await store.get('a'), await store.get('b'), await store.get('c')]).toEqual(['1', '1', '1']);
    await store.set('d', '1', 600_000);
    expect(store.size).toBe(3);
    expect(store.evicted).toBe(1);
    expect([await store.get('a'), await store.get('d')]).toEqual([undefined, '1']);
  });

  it('past its bound drops the entry used longest ago, not the one written first', async () => {
    const store = new MemoryKeyValueStore({ clock: new MovableClock(), maxEntries: 2 });
    await store.set('first', '1', 600_000);
    await store.set('second', '1', 600_000);
    await store.get('first');
    await store.set('third', '1', 600_000);
    expect([await store.get('first'), await store.get('second'), await store.get('third')]).toEqual([
      '1',
      undefined,
      '1',
    ]);
  });

  it('stores nothing for a TTL of zero or less, and a write with one removes the value there', async () => {
    const store = new MemoryKeyValueStore({ clock: new MovableClock() });
    await store.set('k', 'v', 60_000);
    await store.set('k', 'w', 0);
    await store.set('other', 'v', -5);
    expect([await store.get('k'), await store.get('other'), store.size]).toEqual([undefined, undefined, 0]);
  });

  it('holds 100,000 entries by default and no more', async () => {
    const store = new MemoryKeyValueStore({ clock: new MovableClock() });
    for (let i = 0; i < 100_050; i += 1) await store.set(`k-${i}`, '1', 600_000);
    expect(store.size).toBe(100_000);
    expect(store.evicted).toBe(50);
  });
});

describe('the access-token denylist', () => {
  it('refuses a token until it expires, then forgets it', async () => {
    const clock = new MovableClock();
    const store = new MemoryKeyValueStore({ clock });
    const denylist = new AccessTokenDenylist(store, clock);
    await denylist.add('jti-1', inSeconds(clock, 60));
    expect(await denylist.has('jti-1')).toBe(true);
    expect(await denylist.has('jti-2')).toBe(false);
    clock.advance(61_000);
    expect(await denylist.has('jti-1')).toBe(false);
  });

  it('does not store a token that has already expired', async () => {
    const clock = new MovableClock();
    const store = new MemoryKeyValueStore({ clock });
    await new AccessTokenDenylist(store, clock).add('old', inSeconds(clock, -1));
    expect(store.size).toBe(0);
  });
});

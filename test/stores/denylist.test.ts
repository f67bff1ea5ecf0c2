import { describe, expect, it } from '@jest/globals';
import { MemoryDenylist } from '../../src/stores/denylist.js';
import { MovableClock } from '../support/clock.js';

const inSeconds = (clock: MovableClock, s: number) => Math.floor(clock.now() / 1000) + s;

describe('MemoryDenylist', () => {
  it('refuses a token until it expires, then forgets it', async () => {
    const clock = new MovableClock();
    const denylist = new MemoryDenylist({ clock });
    await denylist.add('jti-1', inSeconds(clock, 60));
    expect(await denylist.has('jti-1')).toBe(true);
    expect(await denylist.has('jti-2')).toBe(false);
    clock.advance(61_000);
    expect(await denylist.has('jti-1')).toBe(false);
    expect(denylist.size).toBe(0);
  });

  it('does not store a token that has already expired', async () => {
    const clock = new MovableClock();
    const denylist = new MemoryDenylist({ clock });
    await denylist.add('old', inSeconds(clock, -1));
    expect(denylist.size).toBe(0);
  });

  it('stays within its bound: expired entries go first, then the oldest live ones, counted as evicted', async () => {
    const clock = new MovableClock();
    const denylist = new MemoryDenylist({ clock, maxEntries: 3 });
    await denylist.add('short', inSeconds(clock, 5));
    await denylist.add('a', inSeconds(clock, 600));
    await denylist.add('b', inSeconds(clock, 600));
    clock.advance(10_000);
    await denylist.add('c', inSeconds(clock, 600));
    expect(denylist.evicted).toBe(0);
    expect([await denylist.has('a'), await denylist.has('b'), await denylist.has('c')]).toEqual([true, true, true]);
    await denylist.add('d', inSeconds(clock, 600));
    expect(denylist.size).toBe(3);
    expect(denylist.evicted).toBe(1);
    expect([await denylist.has('a'), await denylist.has('d')]).toEqual([false, true]);
  });

  it('holds 100,000 entries by default and no more', async () => {
    const clock = new MovableClock();
    const denylist = new MemoryDenylist({ clock });
    for (let i = 0; i < 100_050; i += 1) await denylist.add(`jti-${i}`, inSeconds(clock, 600));
    expect(denylist.size).toBe(100_000);
    expect(denylist.evicted).toBe(50);
  });
});

import { afterAll, describe, expect, it } from '@jest/globals';
import type { SessionData } from 'express-session';
import { authOf, withAuth, type AuthState } from '../../src/sessions/auth-state.js';
import { LeaseLock } from '../../src/sessions/lease-lock.js';
import { MemorySessionStore } from '../../src/sessions/memory-session-store.js';
import { RedisSessionStore } from '../../src/sessions/redis-session-store.js';
import { SessionCodec } from '../../src/sessions/session-codec.js';
import type { VersionedSessionStore } from '../../src/sessions/versioned-session-store.js';
import { RedisKeyValueStore } from '../../src/stores/redis-key-value-store.js';
import type { RedisClient } from '../../src/stores/redis-client.js';
import { MovableClock } from '../support/clock.js';
import { captureLogs } from '../support/logs.js';
import { removeKeys, testRedis, uniquePrefix } from '../support/redis.js';

const SUITE = 'session stores';
const redis = await testRedis(SUITE);
const prefix = uniquePrefix('stores');
afterAll(async () => {
  if (redis) {
    await removeKeys(redis, prefix);
    redis.destroy();
  }
});

const codec = new SessionCodec('a-session-secret-of-at-least-thirty-two-chars');
const clock = new MovableClock();

function session(version: number, accessToken: string): SessionData {
  const now = clock.now();
  const auth: AuthState = {
    version,
    user: { sub: 's', username: 'alice', email: null, name: null, roles: [] },
    accessToken,
    refreshToken: `rt-${version}`,
    accessExpiresAt: now + 300_000,
    refreshExpiresAt: now + 1_800_000,
    createdAt: now,
    absoluteExpiresAt: now + 28_800_000,
  };
  return withAuth({ cookie: { originalMaxAge: null, path: '/', httpOnly: true } } as unknown as SessionData, auth);
}

const set = (store: VersionedSessionStore, sid: string, data: SessionData) =>
  new Promise<void>((resolve, reject) => store.set(sid, data, (err) => (err ? reject(err) : resolve())));

const stores: [string, () => VersionedSessionStore][] = [['in memory', () => new MemorySessionStore({ codec, clock })]];
if (redis)
  stores.push([
    'in Redis',
    () =>
      new RedisSessionStore({ client: redis, codec, clock, logger: captureLogs().logger, prefix: `${prefix}sess:` }),
  ]);

describe.each(stores)('the session store %s', (_name, make) => {
  it('writes a refresh only over the version it read: a slow writer holding older state changes nothing', async () => {
    const store = make();
    await set(store, 'sid-1', session(1, 'at-1'));
    const slowReader = await store.read('sid-1');
    expect(await store.replaceIfVersion('sid-1', 1, session(2, 'at-2'))).toBe('written');
    // The slow request read version 1 and now tries to write what it built from it.
    expect(authOf(slowReader)?.version).toBe(1);
    expect(await store.replaceIfVersion('sid-1', 1, session(2, 'at-stale'))).toBe('changed');
    expect(authOf(await store.read('sid-1'))).toMatchObject({ version: 2, accessToken: 'at-2' });
  });

  it('does not bring back a session that was removed while a refresh was running', async () => {
    const store = make();
    await set(store, 'sid-2', session(1, 'at-1'));
    await store.remove('sid-2');
    expect(await store.replaceIfVersion('sid-2', 1, session(2, 'at-2'))).toBe('gone');
    expect(await store.read('sid-2')).toBeUndefined();
  });
});

describe('the session codec', () => {
  it('reads what the previous release stored (the state as a JSON string), so a rolling upgrade logs nobody out', () => {
    const current = session(3, 'at-3');
    const state = authOf(current);
    // The release before this one wrote the same envelope with the state inside it as one JSON string.
    const previousRelease = codec.seal('3', JSON.stringify({ cookie: current.cookie, auth: JSON.stringify(state) }));
    expect(authOf(codec.parse(previousRelease))).toEqual(state);
  });

  it('leaves a session in memory showing only its version when it is turned into JSON: one logged by mistake carries no token', () => {
    const data = session(5, 'at-secret-5');
    expect(JSON.parse(JSON.stringify(data))).toEqual({
      cookie: { originalMaxAge: null, path: '/', httpOnly: true },
      auth: { version: 5 },
    });
    // The store still gets all of it.
    expect(authOf(codec.parse(codec.stringify(data)))).toMatchObject({
      version: 5,
      accessToken: 'at-secret-5',
      refreshToken: 'rt-5',
    });
  });
});

(redis ? describe : describe.skip)('the refresh lease lock in Redis', () => {
  it('is renewed while its holder works, so a slow holder never loses it, and is free once released', async () => {
    const shared = new RedisKeyValueStore(redis as RedisClient, prefix);
    const lock = new LeaseLock(shared, 300, captureLogs().logger);
    const lease = await lock.tryAcquire('refresh:s1');
    expect(lease).toBeDefined();
    const contenders: boolean[] = [];
    for (let i = 0; i < 8; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 125));
      contenders.push((await lock.tryAcquire('refresh:s1')) !== undefined);
    }
    // A second past a lease of 300 ms, nobody else got it.
    expect(contenders).toEqual(Array(8).fill(false));
    await lease?.release();
    const next = await lock.tryAcquire('refresh:s1');
    expect(next).toBeDefined();
    await next?.release();
  });

  it('runs out when its holder stops renewing (a crashed instance), so nobody waits forever', async () => {
    const shared = new RedisKeyValueStore(redis as RedisClient, prefix);
    expect(await shared.setIfAbsent('lock:refresh:s2', 'a-dead-holder', 200)).toBe(true);
    const lock = new LeaseLock(shared, 300, captureLogs().logger);
    expect(await lock.tryAcquire('refresh:s2')).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 250));
    const lease = await lock.tryAcquire('refresh:s2');
    expect(lease).toBeDefined();
    await lease?.release();
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { DevIdp } from '../../src/dev-idp/index.js';
import { ServiceTokenDurability } from '../../src/service-tokens/durability.js';
import { connectRedis, disconnectRedis, type RedisClient } from '../../src/stores/redis-client.js';
import { MovableClock } from '../support/clock.js';
import { buildTestGateway, type TestGateway } from '../support/gateway.js';
import { startTestIdp } from '../support/idp.js';
import { captureLogs } from '../support/logs.js';
import { removeKeys, testRedis, uniquePrefix } from '../support/redis.js';
import { DisposableRedis, redisServerInstalled } from '../support/redis-server.js';
import { createToken, exchange, refreshGrants } from './helpers.js';

const SUITE = 'service tokens on Redis';
const redisA = await testRedis(SUITE);
const redisB = redisA ? await testRedis(SUITE) : undefined;
const describeWithRedis = redisA && redisB ? describe : describe.skip;
const describeWithRedisServer = (await redisServerInstalled()) ? describe : describe.skip;

let idp: DevIdp;
const prefixes: string[] = [];
beforeAll(async () => {
  // One-minute access tokens: a cached one is handed out while more than half of it is left.
  idp = await startTestIdp({ realm: (r) => ({ ...r, accessTokenLifespan: 60 }) });
});
afterAll(async () => {
  if (redisA) for (const prefix of prefixes) await removeKeys(redisA, prefix);
  redisA?.destroy();
  redisB?.destroy();
  await idp?.close();
});

function instance(client: RedisClient, keyPrefix: string, clock: MovableClock): TestGateway {
  return buildTestGateway({ idpUrl: idp.url, clock, redis: { client, keyPrefix } });
}

describeWithRedis('two instances sharing one Redis', () => {
  it('a storm of 50 concurrent exchanges of one token across both costs one refresh grant and no failure', async () => {
    const clock = new MovableClock();
    const prefix = uniquePrefix('service-tokens');
    prefixes.push(prefix);
    const a = instance(redisA as RedisClient, prefix, clock);
    const b = instance(redisB as RedisClient, prefix, clock);
    const { token } = await createToken(a.app);
    clock.advanceSeconds(40); // 20 s left of 60: less than half, so the next exchange refreshes
    idp.clearSeen();
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => exchange((i % 2 === 0 ? a : b).app, token)));
    expect(answers.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(new Set(answers.map((r) => r.body.access_token as string)).size).toBe(1);
    expect(refreshGrants(idp)).toBe(1);
    // The rotated offline token was kept: the next refresh, on the other instance, works.
    clock.advanceSeconds(45);
    expect((await exchange(b.app, token)).status).toBe(200);
    expect(refreshGrants(idp)).toBe(2);
  });

  it('a token created on one instance is listed, inspected and revoked on the other', async () => {
    const clock = new MovableClock();
    const prefix = uniquePrefix('service-tokens');
    prefixes.push(prefix);
    const a = instance(redisA as RedisClient, prefix, clock);
    const b = instance(redisB as RedisClient, prefix, clock);
    const { token, id } = await createToken(a.app);
    const list = await request(b.app).get('/api/auth/service-tokens').set('Authorization', `Bearer ${token}`);
    expect(list.body.service_tokens.map((t: { id: string }) => t.id)).toEqual([id]);
    const revoked = await request(b.app)
      .delete(`/api/auth/service-tokens/${id}`)
      .set('Authorization', `Bearer ${token}`);
    expect(revoked.status).toBe(200);
    expect((await exchange(a.app, token)).status).toBe(401);
  });

  it('keeps an eternal token without a TTL in Redis, and no secret in what Redis holds', async () => {
    const clock = new MovableClock();
    const prefix = uniquePrefix('service-tokens');
    prefixes.push(prefix);
    const a = instance(redisA as RedisClient, prefix, clock);
    const { token, id } = await createToken(a.app, { days: undefined, eternal: true });
    const client = redisA as RedisClient;
    expect(await client.pTTL(`${prefix}st:token:${id}`)).toBe(-1);
    const keys = await client.keys(`${prefix}st:*`);
    const values = await Promise.all(
      keys.map(async (k) =>
        (await client.type(k)) === 'string' ? await client.get(k) : (await client.sMembers(k)).join(),
      ),
    );
    expect(values.join('\n')).not.toContain(token.slice(-43));
  });
});

describeWithRedisServer('durability', () => {
  let redis: DisposableRedis;
  let client: RedisClient;
  const logs = captureLogs();
  beforeAll(async () => {
    redis = await DisposableRedis.start(); // --appendonly yes in a folder of its own
    client = connectRedis(redis.url, logs.logger);
  });
  afterAll(async () => {
    await disconnectRedis(client).catch(() => undefined);
    await redis?.stop();
  });

  it('a token survives a restart of a Redis that keeps an append-only file, and the gateway says Redis is durable', async () => {
    const durability = new ServiceTokenDurability();
    expect(await durability.checkRedis(client, logs.logger)).toEqual({ kind: 'durable', how: 'aof' });
    const clock = new MovableClock();
    const gateway = buildTestGateway({
      idpUrl: idp.url,
      clock,
      redis: { client, keyPrefix: 'durable:' },
      serviceTokenDurability: durability,
    });
    const { token } = await createToken(gateway.app);
    await redis.kill();
    await redis.restart();
    const deadline = Date.now() + 5000;
    let res = await exchange(gateway.app, token);
    while (res.status === 503 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      res = await exchange(gateway.app, token);
    }
    expect({ status: res.status, type: res.body.token_type }).toEqual({ status: 200, type: 'Bearer' });
    const ready = await request(gateway.app).get('/readyz');
    expect(ready.body).toEqual({ status: 'ready', checks: { idp: 'ok', redis: 'ok' } });
  });

  it('a Redis that does not answer is 503 session_store_unavailable on exchange, never service_token_invalid', async () => {
    const gateway = buildTestGateway({ idpUrl: idp.url, redis: { client, keyPrefix: 'frozen:' } });
    const { token } = await createToken(gateway.app);
    redis.freeze();
    try {
      const res = await exchange(gateway.app, token);
      expect({ status: res.status, error: res.body.error }).toEqual({
        status: 503,
        error: 'session_store_unavailable',
      });
    } finally {
      redis.thaw();
    }
    const deadline = Date.now() + 5000;
    let res = await exchange(gateway.app, token);
    while (res.status === 503 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      res = await exchange(gateway.app, token);
    }
    expect(res.status).toBe(200);
  });

  it('a Redis that keeps nothing on disk is a loud warning in the log and in /readyz', async () => {
    await client.configSet({ appendonly: 'no', save: '' });
    const durability = new ServiceTokenDurability();
    const warnings = captureLogs();
    expect((await durability.checkRedis(client, warnings.logger)).kind).toBe('volatile');
    expect(warnings.events('service_token.storage_not_durable')).toEqual([
      expect.objectContaining({ level: 'warn', message: expect.stringContaining('SERVICE TOKENS ARE NOT DURABLE') }),
    ]);
    const gateway = buildTestGateway({
      idpUrl: idp.url,
      redis: { client, keyPrefix: 'volatile:' },
      serviceTokenDurability: durability,
    });
    const ready = await request(gateway.app).get('/readyz');
    expect({ status: ready.status, body: ready.body }).toEqual({
      status: 200,
      body: {
        status: 'ready',
        checks: { idp: 'ok', redis: 'ok' },
        details: {
          service_tokens:
            'Redis keeps nothing on disk (no AOF, no RDB save points): a restart of Redis ends every service token. Turn on appendonly or save points',
        },
      },
    });
  });
});

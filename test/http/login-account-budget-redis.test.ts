import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Express } from 'express';
import request from 'supertest';
import type { DevIdp } from '../../src/dev-idp/index.js';
import type { RedisClient } from '../../src/stores/redis-client.js';
import { refresh } from '../dev-idp/helpers.js';
import { buildTestGateway } from '../support/gateway.js';
import { startTestIdp } from '../support/idp.js';
import { providerTap, type ProviderTap } from '../support/provider-tap.js';
import { removeKeys, testRedis, uniquePrefix } from '../support/redis.js';

const SUITE = 'one failure budget per account across instances';
const redisA = await testRedis(SUITE);
const redisB = redisA ? await testRedis(SUITE) : undefined;
const describeWithRedis = redisA && redisB ? describe : describe.skip;

const CSRF = { 'X-CSRF': '1' };
const RATE_LIMITED = '{"error":"rate_limited","message":"Too many attempts; try again later"}';

let idp: DevIdp;
const prefixes: string[] = [];
beforeAll(async () => {
  if (redisA) idp = await startTestIdp();
});
afterAll(async () => {
  if (redisA) for (const prefix of prefixes) await removeKeys(redisA, prefix);
  await idp?.close();
  redisA?.destroy();
  redisB?.destroy();
});

/** Two gateway instances behind one imaginary load balancer: one Redis, one key prefix, each its own memory. */
function twoInstances(
  mode: 'token' | 'session',
  failuresPerUser: number,
): { a: Express; b: Express; tapB: ProviderTap } {
  const keyPrefix = uniquePrefix('login-budget');
  prefixes.push(keyPrefix);
  const env = { LOGIN_FAILURES_PER_USER: String(failuresPerUser) };
  const tapB = providerTap();
  const a = buildTestGateway({ idpUrl: idp.url, mode, env, redis: { client: redisA as RedisClient, keyPrefix } }).app;
  const b = buildTestGateway({
    idpUrl: idp.url,
    mode,
    env,
    redis: { client: redisB as RedisClient, keyPrefix },
    wrapFetch: tapB.wrap,
  }).app;
  return { a, b, tapB };
}

function login(app: Express, username: string, password: string) {
  return request(app).post('/api/auth/login').set(CSRF).send({ username, password });
}

describeWithRedis(SUITE, () => {
  it.each(['token', 'session'] as const)(
    '%s mode: failures as alice on one instance, then her right password as alice@example.test on another: 429 like a limited attempt, no token or cookie, the provider session ended',
    async (mode) => {
      const { a, b, tapB } = twoInstances(mode, 3);
      for (let i = 0; i < 3; i += 1) expect((await login(a, 'alice', 'guess')).status).toBe(401);
      const limitedWrong = await login(a, 'alice', 'guess');
      idp.clearSeen();
      const right = await login(b, 'alice@example.test', 'alice-password');
      expect([limitedWrong.status, limitedWrong.text, right.status, right.text]).toEqual([
        429,
        RATE_LIMITED,
        429,
        RATE_LIMITED,
      ]);
      expect(right.headers['set-cookie']).toBeUndefined();
      expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);

      const refreshToken = tapB.refreshTokens.at(-1);
      expect(refreshToken).toEqual(expect.any(String));
      for (let i = 0; i < 100 && !idp.seen.some((s) => s.endpoint === 'logout' && s.status === 204); i += 1)
        await new Promise((r) => setTimeout(r, 20));
      const res = await refresh(idp, refreshToken);
      expect({ status: res.status, body: res.body }).toEqual({
        status: 400,
        body: { error: 'invalid_grant', error_description: 'Session not active' },
      });
    },
  );

  it('failures alternating between identifiers and instances exhaust one budget', async () => {
    const { a, b } = twoInstances('session', 4);
    expect((await login(a, 'alice@example.test', 'guess')).status).toBe(401);
    expect((await login(b, 'alice', 'guess')).status).toBe(401);
    expect((await login(b, 'Alice@Example.Test', 'guess')).status).toBe(401);
    expect((await login(a, 'ALICE', 'guess')).status).toBe(401);
    for (const [instance, identifier] of [
      [a, 'alice'],
      [b, 'alice'],
      [a, 'alice@example.test'],
      [b, 'alice@example.test'],
    ] as const) {
      const res = await login(instance, identifier, 'alice-password');
      expect({ status: res.status, text: res.text }).toEqual({ status: 429, text: RATE_LIMITED });
    }
  });
});

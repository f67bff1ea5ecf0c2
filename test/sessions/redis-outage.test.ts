import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DevIdp } from '../../src/dev-idp/index.js';
import { connectRedis, disconnectRedis, type RedisClient } from '../../src/stores/redis-client.js';
import { MovableClock } from '../support/clock.js';
import { buildTestGateway, type TestGateway } from '../support/gateway.js';
import { startTestIdp } from '../support/idp.js';
import { listen, type Listening } from '../support/listen.js';
import { captureLogs, type CapturedLogs } from '../support/logs.js';
import { DisposableRedis, redisServerInstalled } from '../support/redis-server.js';

const SUITE = 'Redis outage';
const installed = await redisServerInstalled();
if (!installed) {
  if (process.env.CI === 'true')
    throw new Error(`${SUITE}: redis-server is required under CI=true and is not installed`);
  console.warn(`SKIPPED ${SUITE}: redis-server is not installed`);
}
const describeWithRedisServer = installed ? describe : describe.skip;

const CSRF = { 'x-csrf': '1', 'content-type': 'application/json' };
const STORE_DOWN = { error: 'session_store_unavailable', message: 'The session store cannot be reached' };

let idp: DevIdp;
let redis: DisposableRedis;
let client: RedisClient;
let gateway: TestGateway;
let server: Listening;
let redisLogs: CapturedLogs;
const clock = new MovableClock();
beforeAll(async () => {
  if (!installed) return;
  idp = await startTestIdp();
  redis = await DisposableRedis.start();
  // The client exactly as the gateway makes it: no offline queue, a command timeout, reconnecting by itself.
  const logs = captureLogs();
  client = connectRedis(redis.url, logs.logger);
  redisLogs = logs;
  gateway = buildTestGateway({
    idpUrl: idp.url,
    mode: 'session',
    clock,
    env: { REDIS_URL: redis.url },
    redis: { client, keyPrefix: 'authgate:' },
  });
  server = await listen(gateway.app);
});
afterAll(async () => {
  if (!installed) return;
  await server.close();
  await disconnectRedis(client);
  await redis.stop();
  await idp.close();
});

async function timed(
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; body: unknown; ms: number; retryAfter: string | null; cookie: string | null }> {
  const started = performance.now();
  const res = await fetch(`${server.url}${path}`, init);
  const body: unknown = await res.json();
  return {
    status: res.status,
    body,
    ms: performance.now() - started,
    retryAfter: res.headers.get('retry-after'),
    cookie: res.headers.get('set-cookie'),
  };
}

async function until(condition: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describeWithRedisServer('when Redis goes away', () => {
  let cookie = '';
  beforeAll(async () => {
    await until(async () => client.isReady, 5000);
    const res = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: CSRF,
      body: JSON.stringify({ username: 'alice', password: 'alice-password' }),
    });
    expect(res.status).toBe(200);
    cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  });

  it('answers 503 session_store_unavailable within a second when Redis is killed, never 401, and serves again when it is back', async () => {
    expect((await timed('/api/auth/me', { headers: { cookie } })).status).toBe(200);
    await redis.kill();
    for (const [path, init] of [
      ['/api/auth/me', { headers: { cookie } }],
      ['/api/auth/session', { headers: { cookie } }],
      ['/api/auth/refresh-token', { method: 'POST', headers: { ...CSRF, cookie } }],
      [
        '/api/auth/login',
        { method: 'POST', headers: CSRF, body: JSON.stringify({ username: 'alice', password: 'alice-password' }) },
      ],
    ] as const) {
      const answer = await timed(path, init);
      expect({
        path,
        status: answer.status,
        body: answer.body,
        retryAfter: answer.retryAfter,
        cookie: answer.cookie,
      }).toEqual({ path, status: 503, body: STORE_DOWN, retryAfter: '1', cookie: null });
      expect(answer.ms).toBeLessThan(1000);
    }
    const ready = await timed('/readyz');
    expect({ status: ready.status, body: ready.body }).toEqual({
      status: 503,
      body: { error: 'session_store_unavailable', message: 'Not ready: Redis does not answer' },
    });

    await redis.restart();
    await until(async () => (await timed('/api/auth/me', { headers: { cookie } })).status === 200, 5000);
    // The session outlived the outage (Redis kept it in its append-only file): same cookie, same user.
    expect((await timed('/api/auth/me', { headers: { cookie } })).body).toEqual({
      user: expect.objectContaining({ username: 'alice' }),
    });
    expect((await timed('/readyz')).status).toBe(200);
    expect(redisLogs.events('redis.unavailable')).toHaveLength(1);
    expect(redisLogs.events('redis.recovered')).toHaveLength(1);
  }, 20_000);

  it('answers 503 within a second when Redis hangs instead of refusing, and serves again when it wakes', async () => {
    redis.freeze();
    try {
      const answer = await timed('/api/auth/me', { headers: { cookie } });
      expect({ status: answer.status, body: answer.body }).toEqual({ status: 503, body: STORE_DOWN });
      expect(answer.ms).toBeLessThan(1000);
    } finally {
      redis.thaw();
    }
    await until(async () => (await timed('/api/auth/me', { headers: { cookie } })).status === 200, 5000);
  }, 20_000);
});

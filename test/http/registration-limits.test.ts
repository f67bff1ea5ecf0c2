import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { RealmFile } from '../../src/dev-idp/index.js';
import type { RedisClient } from '../../src/stores/redis-client.js';
import { buildTestGateway, type TestGateway } from '../support/gateway.js';
import { providerSuite, providerUnderTest, type ProviderUnderTest } from '../support/provider-under-test.js';
import { removeKeys, testRedis, uniquePrefix } from '../support/redis.js';

// Runs on the embedded dev IdP (npm test) and on a real Keycloak (npm run test:keycloak): see provider-under-test.ts.
const SUITE = 'registration limits';
const redisA = await testRedis(SUITE);
const redisB = redisA ? await testRedis(SUITE) : undefined;
const describe = providerSuite(SUITE, Boolean(redisA && redisB));
const OPEN = { REGISTRATION_ENABLED: 'true' };
const NAMES = { first_name: 'Alan', last_name: 'Turing', password: 'a-long-enough-password' };
const prefixes: string[] = [];

let provider: ProviderUnderTest;
let withoutRoles: ProviderUnderTest;

beforeAll(async () => {
  provider = await providerUnderTest({ name: 'register-limits' });
  withoutRoles = await providerUnderTest({ name: 'register-noroles', realm: withoutManageUsers });
});

afterAll(async () => {
  await provider?.close();
  await withoutRoles?.close();
  if (redisA) for (const prefix of prefixes) await removeKeys(redisA, prefix);
  redisA?.destroy();
  redisB?.destroy();
});

function fresh(): { username: string; email: string } {
  const username = `lim-${randomUUID().slice(0, 8)}`;
  return { username, email: `${username}@example.test` };
}

function register(gateway: TestGateway, body: object = { ...fresh(), ...NAMES }) {
  return request(gateway.app).post('/api/auth/register').set('X-CSRF', '1').send(body);
}

describe('POST /api/auth/register, limits and faults', () => {
  it('with REGISTRATION_ENABLED unset in front of a real realm: 403 registration_disabled, nothing asked of the provider', async () => {
    for (const mode of ['token', 'session'] as const) {
      const gateway = provider.gateway({ mode });
      provider.clearSeen();
      const res = await register(gateway);
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ error: 'registration_disabled', message: 'Registration is not open on this gateway' });
      expect(provider.seen).toEqual([]);
    }
  });

  it('REGISTRATIONS_PER_IP is shared by two instances on one Redis: the third attempt from one address is 429', async () => {
    const prefix = uniquePrefix('register-limit');
    prefixes.push(prefix);
    const env = { ...OPEN, REGISTRATIONS_PER_IP: '2', REGISTRATION_AUTO_LOGIN: 'false' };
    const a = provider.gateway({ env, redis: { client: redisA as RedisClient, keyPrefix: prefix } });
    const b = provider.gateway({ env, redis: { client: redisB as RedisClient, keyPrefix: prefix } });
    expect((await register(a)).status).toBe(201);
    // A refused registration counts too: every attempt does.
    expect((await register(b, { ...fresh(), ...NAMES, email: 'not-an-email' })).status).toBe(400);
    const limited = await register(a);
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ error: 'rate_limited', message: 'Too many attempts; try again later' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(3000);
    expect((await register(b)).status).toBe(429);
    // Logins are counted apart: alice still logs in from the same address.
    const login = await request(b.app).post('/api/auth/login').send({ username: 'alice', password: 'alice-password' });
    expect(login.status).toBe(200);
  });

  it('a service account without manage-users: 502 unauthorized_client, logged with the role that is missing', async () => {
    const gateway = withoutRoles.gateway({ env: OPEN });
    const who = fresh();
    const res = await register(gateway, { ...who, ...NAMES });
    expect(res.status).toBe(502);
    expect(res.body).toEqual({
      error: 'unauthorized_client',
      message: 'The identity provider rejected the gateway client; this is a deployment fault',
    });
    const [rejected] = gateway.logs.events('idp.client_rejected');
    expect(rejected).toMatchObject({
      level: 'error',
      reason: expect.stringContaining('needs the realm-management role manage-users'),
    });
    expect(gateway.logs.text()).not.toContain(NAMES.password);
  });

  it('the login after the registration cannot reach the token endpoint: 201 with login "failed", and the account is there', async () => {
    // The Admin API answers; the password grant finds the connection refused, as when the provider goes down between.
    const gateway = provider.gateway({
      mode: 'session',
      env: OPEN,
      wrapFetch: (network) => async (input, init) => {
        if (String(init?.body ?? '').includes('grant_type=password'))
          throw Object.assign(new TypeError('fetch failed'), {
            cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
          });
        return network(input, init);
      },
    });
    const who = fresh();
    const res = await register(gateway, { ...who, ...NAMES });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      message: 'Registration successful',
      user: { sub: expect.any(String), username: who.username, email: who.email, name: 'Alan Turing', roles: [] },
      login: 'failed',
    });
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(gateway.logs.events('auth.register.login_failed')).toEqual([
      expect.objectContaining({ level: 'warn', error: 'idp_unavailable', sub: res.body.user.sub }),
    ]);
    const later = await request(provider.gateway().app)
      .post('/api/auth/login')
      .send({ username: who.username, password: NAMES.password });
    expect(later.status).toBe(200);
  });

  it('a provider that cannot be reached: 503 idp_unavailable with Retry-After, as every provider call', async () => {
    const gateway = buildTestGateway({ idpUrl: 'http://127.0.0.1:9', env: OPEN });
    const res = await register(gateway);
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ error: 'idp_unavailable', message: 'The identity provider cannot be reached' });
    expect(res.headers['retry-after']).toBe('5');
    expect(gateway.logs.text()).not.toContain(NAMES.password);
  });
});

/** The demo realm with the gateway's service account holding only the roles to read users, not to create them. */
function withoutManageUsers(realm: RealmFile): RealmFile {
  return {
    ...realm,
    users: (realm.users ?? []).map((user) =>
      user.username === 'service-account-authgate'
        ? { ...user, clientRoles: { 'realm-management': ['view-users', 'query-users'] } }
        : user,
    ),
  };
}

import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { RedisClient } from '../../src/stores/redis-client.js';
import { MovableClock } from '../support/clock.js';
import type { TestGateway } from '../support/gateway.js';
import { listen, type Listening } from '../support/listen.js';
import {
  providerSuite,
  providerUnderTest,
  whereProvider,
  type ProviderUnderTest,
} from '../support/provider-under-test.js';
import { keysUnder, removeKeys, testRedis, uniquePrefix } from '../support/redis.js';
import type { Fetch } from '../../src/idp/provider-fetch.js';
import { authOf } from '../../src/sessions/auth-state.js';
import { SessionCodec } from '../../src/sessions/session-codec.js';

// Runs on the embedded dev IdP (npm test) and on a real Keycloak (npm run test:keycloak): see provider-under-test.ts.
// On Keycloak the refresh storm meets its real rotation and reuse detection.
const SUITE = 'sessions on many instances';
const redisA = await testRedis(SUITE);
const redisB = redisA ? await testRedis(SUITE) : undefined;
const describeWithRedis = providerSuite(SUITE, Boolean(redisA && redisB));

const CSRF = { 'x-csrf': '1', 'content-type': 'application/json' };

let provider: ProviderUnderTest;
const running: Listening[] = [];
const prefixes: string[] = [];
beforeAll(async () => {
  // A short access-token lifespan, and rotation with reuse detection: a replayed refresh token kills the session.
  provider = await providerUnderTest({
    realm: (r) => ({ ...r, accessTokenLifespan: 30, revokeRefreshToken: true, refreshTokenMaxReuse: 0 }),
    name: 'cluster',
  });
});
afterAll(async () => {
  await Promise.all(running.map((r) => r.close()));
  if (redisA) for (const prefix of prefixes) await removeKeys(redisA, prefix);
  await provider?.close();
  redisA?.destroy();
  redisB?.destroy();
});

interface Instance {
  gateway: TestGateway;
  url: string;
}

/** Two gateway instances behind one imaginary load balancer: one Redis, one secret, one key prefix. */
async function cluster(
  options: { wrapFetchB?: (network: Fetch) => Fetch; env?: Record<string, string>; envB?: Record<string, string> } = {},
): Promise<{ a: Instance; b: Instance; clock: MovableClock; prefix: string }> {
  const clock = new MovableClock();
  const prefix = uniquePrefix('cluster');
  prefixes.push(prefix);
  const env = { REFRESH_SKEW_SECONDS: '5', ...options.env };
  const make = async (
    client: RedisClient,
    wrapFetch?: (network: Fetch) => Fetch,
    own: Record<string, string> = {},
  ): Promise<Instance> => {
    const gateway = provider.gateway({
      mode: 'session',
      clock,
      env: { ...env, ...own },
      redis: { client, keyPrefix: prefix },
      ...(wrapFetch ? { wrapFetch } : {}),
    });
    const server = await listen(gateway.app);
    running.push(server);
    return { gateway, url: server.url };
  };
  return {
    a: await make(redisA as RedisClient),
    b: await make(redisB as RedisClient, options.wrapFetchB, options.envB),
    clock,
    prefix,
  };
}

async function login(instance: Instance): Promise<string> {
  const res = await fetch(`${instance.url}/api/auth/login`, {
    method: 'POST',
    headers: CSRF,
    body: JSON.stringify({ username: 'alice', password: 'alice-password' }),
  });
  expect(res.status).toBe(200);
  return (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}

async function me(instance: Instance, cookie: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${instance.url}/api/auth/me`, { headers: { cookie } });
  return { status: res.status, body: await res.json() };
}

const refreshGrants = () => provider.seen.filter((s) => s.endpoint === 'token' && s.grantType === 'refresh_token');

describeWithRedis('session mode with Redis, two instances', () => {
  it('logs in on A, answers /me on B, and after logout on A, B answers 401 at once', async () => {
    const { a, b } = await cluster();
    const cookie = await login(a);
    expect(await me(b, cookie)).toEqual({
      status: 200,
      body: { user: expect.objectContaining({ username: 'alice' }) },
    });
    const refreshToken = provider.refreshTokens.at(-1) ?? '';
    const out = await fetch(`${a.url}/api/auth/logout`, { method: 'POST', headers: { ...CSRF, cookie } });
    expect(out.status).toBe(200);
    expect(await me(b, cookie)).toEqual({
      status: 401,
      body: { error: 'unauthenticated', message: 'Authentication is required' },
    });
    expect(await provider.sessionActive(refreshToken)).toBe(false);
  });

  it('survives a refresh storm: 50 concurrent /me across both instances after expiry, one refresh grant, all 200', async () => {
    const { a, b, clock } = await cluster();
    const cookie = await login(a);
    clock.advanceSeconds(30);
    provider.clearSeen();
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => me(i % 2 === 0 ? a : b, cookie)));
    expect(answers.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(refreshGrants()).toEqual([expect.objectContaining({ status: 200 })]);
    // The session goes on: the next expiry is refreshed again with the rotated token, with no reuse detected.
    clock.advanceSeconds(30);
    expect((await me(b, cookie)).status).toBe(200);
    expect(refreshGrants()).toEqual([
      expect.objectContaining({ status: 200 }),
      expect.objectContaining({ status: 200 }),
    ]);
    expect(
      [...a.gateway.logs.lines(), ...b.gateway.logs.lines()].filter((l) => l.event === 'auth.refresh.reuse_detected'),
    ).toEqual([]);
  });

  whereProvider(
    (says) => says.refreshLifetime,
    'it does not say when its refresh tokens expire, so a session ends at SESSION_MAX_AGE_SECONDS and a refresh moves nothing',
  ).it('shows on B the session end that a refresh on A moved, though B had read the session just before', async () => {
    const { a, b, clock } = await cluster();
    const cookie = await login(a);
    const before = await (await fetch(`${b.url}/api/auth/session`, { headers: { cookie } })).json();
    expect(before).toEqual({
      authenticated: true,
      user: expect.objectContaining({ username: 'alice' }),
      expires_at: expect.any(String),
    });
    clock.advanceSeconds(20);
    const refreshed = await fetch(`${a.url}/api/auth/refresh-token`, { method: 'POST', headers: { ...CSRF, cookie } });
    const { session } = (await refreshed.json()) as { session: { expires_at: string } };
    // The provider's idle timeout slides with every refresh, and the session's end with it (by the 20 s the gateway's
    // clock moved, and the real time the provider saw pass), less the second a provider may round off either answer.
    expect(
      Date.parse(session.expires_at) - Date.parse((before as { expires_at: string }).expires_at),
    ).toBeGreaterThanOrEqual(20_000 - provider.countdownSlack * 1000);
    provider.clearSeen();
    const after = await (await fetch(`${b.url}/api/auth/session`, { headers: { cookie } })).json();
    expect(after).toEqual({ ...before, expires_at: session.expires_at });
    expect(await me(b, cookie)).toEqual({
      status: 200,
      body: { user: expect.objectContaining({ username: 'alice' }) },
    });
    expect(refreshGrants()).toEqual([]);
  });

  it('gives a request that read the session before a slow refresh on the other instance the new tokens, with no second grant', async () => {
    let slowTokenCalls = 0;
    const slowB =
      (network: Fetch): Fetch =>
      async (url, init) => {
        if (String(url).endsWith('/token')) {
          slowTokenCalls += 1;
          await new Promise((resolve) => setTimeout(resolve, 600));
        }
        return network(url, init);
      };
    const { a, b, clock } = await cluster({ wrapFetchB: slowB });
    const cookie = await login(a);
    clock.advanceSeconds(30);
    provider.clearSeen();
    const slow = me(b, cookie);
    await new Promise((resolve) => setTimeout(resolve, 150));
    // A read the old session too, while B holds the lock and waits for the provider.
    const late = await me(a, cookie);
    expect([late.status, (await slow).status]).toEqual([200, 200]);
    expect(slowTokenCalls).toBe(1);
    expect(refreshGrants()).toHaveLength(1);
    clock.advanceSeconds(30);
    expect((await me(a, cookie)).status).toBe(200);
    expect(refreshGrants().map((s) => s.status)).toEqual([200, 200]);
  });

  it('keeps nothing readable in Redis: no token, no user name, no claim', async () => {
    const { a, prefix } = await cluster();
    const cookie = await login(a);
    const keys = await keysUnder(redisA as RedisClient, prefix);
    const sessionKeys = keys.filter((k) => k.startsWith(`${prefix}sess:`));
    expect(sessionKeys).toHaveLength(1);
    const stored = (await (redisA as RedisClient).get(sessionKeys[0] ?? '')) ?? '';
    // Version 1, then base64url ciphertext: no dot, so no JWT can hide in it.
    expect(stored).toMatch(/^1\.[\w-]{200,}$/);
    const raw = Buffer.from(stored.slice(2), 'base64url').toString('latin1');
    // The gateway's own key opens it; what it holds appears nowhere in what Redis keeps.
    const auth = authOf(a.gateway.codec.parse(stored));
    const secrets = [auth?.accessToken, auth?.refreshToken, auth?.user.sub, auth?.user.email, auth?.user.username];
    expect(secrets.every((secret) => typeof secret === 'string' && secret.length >= 5)).toBe(true);
    for (const secret of secrets as string[]) {
      for (const piece of [secret, secret.slice(10, 30)].filter((p) => p.length >= 5)) {
        expect(stored.includes(piece) || raw.includes(piece)).toBe(false);
      }
    }
    expect(() => new SessionCodec('another-secret-of-at-least-thirty-two-characters').parse(stored)).toThrow(
      'the stored session cannot be decrypted',
    );
    // Its TTL is the refresh token's lifetime (the demo realm's 1800 s).
    const ttl = await (redisA as RedisClient).ttl(sessionKeys[0] ?? '');
    expect(ttl).toBeGreaterThan(1790);
    expect(ttl).toBeLessThanOrEqual(1800);
    expect(cookie).toMatch(/^authgate\.sid=/);
  });

  it('ends a session past its absolute limit on the instance clock that Redis still holds: 401 session_expired, cookie cleared, key deleted', async () => {
    // The instances' clock runs ahead of Redis's TTL here, as a skewed clock would: the gateway ends the session itself.
    const { a, b, clock, prefix } = await cluster({ env: { SESSION_MAX_AGE_SECONDS: '600' } });
    const cookie = await login(a);
    const sessionKeys = async () =>
      (await keysUnder(redisA as RedisClient, prefix)).filter((key) => key.includes('sess:'));
    expect(await sessionKeys()).toHaveLength(1);
    clock.advanceSeconds(601);
    const res = await fetch(`${b.url}/api/auth/me`, { headers: { cookie } });
    expect({ status: res.status, body: await res.json() }).toEqual({
      status: 401,
      body: { error: 'session_expired', message: 'The session has expired; please log in again' },
    });
    expect(res.headers.get('set-cookie')).toMatch(
      /^authgate\.sid=; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Strict$/,
    );
    expect(await sessionKeys()).toEqual([]);
    expect(await me(a, cookie)).toEqual({
      status: 401,
      body: { error: 'unauthenticated', message: 'Authentication is required' },
    });
  });

  it('never sends tokens from a stored session altered to keep its fingerprint: 401 session_expired once they are needed', async () => {
    const { a, b, clock, prefix } = await cluster();
    const cookie = await login(a);
    expect((await me(b, cookie)).status).toBe(200);
    const [key] = (await keysUnder(redisA as RedisClient, prefix)).filter((k) => k.includes('sess:'));
    const stored = (await (redisA as RedisClient).get(key ?? '')) ?? '';
    // One ciphertext character changed; the version, the length and the GCM tag at the end stay as they were.
    const at = stored.indexOf('.') + 30;
    const altered = `${stored.slice(0, at)}${stored[at] === 'A' ? 'B' : 'A'}${stored.slice(at + 1)}`;
    await (redisA as RedisClient).set(key ?? '', altered, { KEEPTTL: true });
    // B takes it for the value it read before (whoever can write Redis could as well have put that one back)...
    expect((await me(b, cookie)).status).toBe(200);
    // ...until it needs the tokens: then the value is decrypted, refused, and nothing reaches the provider.
    clock.advanceSeconds(30);
    provider.clearSeen();
    const res = await fetch(`${b.url}/api/auth/me`, { headers: { cookie } });
    expect({ status: res.status, body: await res.json() }).toEqual({
      status: 401,
      body: { error: 'session_expired', message: 'The session has expired; please log in again' },
    });
    expect(res.headers.get('set-cookie')).toMatch(
      /^authgate\.sid=; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Strict$/,
    );
    expect(provider.seen).toEqual([]);
    expect(b.gateway.logs.events('session.unreadable')).toHaveLength(1);
    // A, which never read it, finds no session in it at all.
    expect(await me(a, cookie)).toEqual({
      status: 401,
      body: { error: 'unauthenticated', message: 'Authentication is required' },
    });
  });

  it('refuses a code-flow callback whose login began under another SESSION_SECRET, and redeems nothing', async () => {
    // SESSION_SECRET changed (a redeploy) while the user was at the provider's login page.
    const {
      a: before,
      b: after,
      prefix,
    } = await cluster({ envB: { SESSION_SECRET: 'a-rotated-session-secret-of-more-than-32-chars' } });
    const start = await fetch(`${before.url}/api/auth/login`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    const state = new URL(start.headers.get('location') ?? '').searchParams.get('state') ?? '';
    expect(await keysUnder(redisA as RedisClient, prefix)).toEqual([`${prefix}login:${state}`]);
    provider.clearSeen();
    const res = await fetch(`${after.url}/api/auth/callback?state=${state}&code=a-code`, {
      headers: { cookie: `authgate.login=${state}` },
      redirect: 'manual',
    });
    expect({ status: res.status, body: await res.json() }).toEqual({
      status: 400,
      body: { error: 'invalid_request', message: 'This login has expired or was already completed; start it again' },
    });
    expect(after.gateway.logs.events('auth.callback.failed')).toEqual([
      expect.objectContaining({ error: 'invalid_request', status: 400, reason: 'pending_login_unreadable' }),
    ]);
    expect(provider.seen).toEqual([]);
    expect(await keysUnder(redisA as RedisClient, prefix)).toEqual([]);
  });

  it('writes nothing to Redis for a request that changes nothing', async () => {
    const { a, b, prefix } = await cluster();
    const cookie = await login(a);
    const monitor = (redisA as RedisClient).duplicate();
    await monitor.connect();
    const commands: string[] = [];
    await monitor.monitor((reply) => commands.push(reply));
    // The login's rate-limit bookkeeping runs after its answer was sent (express-rate-limit settles on 'finish'):
    // let it land before watching the reads.
    await new Promise((resolve) => setTimeout(resolve, 200));
    commands.length = 0;
    for (const instance of [a, b, a]) expect((await me(instance, cookie)).status).toBe(200);
    await fetch(`${b.url}/api/auth/session`, { headers: { cookie } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    monitor.destroy();
    // MONITOR sees the whole server: only this cluster's keys are this test's business.
    const ours = commands.filter((c) => c.includes(prefix));
    const verbs = ours.map((c) => /"(\w+)"/.exec(c)?.[1]?.toUpperCase()).filter((v) => v && v !== 'PING');
    expect(verbs).toEqual(['GET', 'GET', 'GET', 'GET']);
  });

  it('counts failed logins across instances: the limit holds whichever instance the attempts reach', async () => {
    const { a, b } = await cluster({ env: { LOGIN_FAILURES_PER_USER: '2' } });
    const attempt = (instance: Instance) =>
      fetch(`${instance.url}/api/auth/login`, {
        method: 'POST',
        headers: CSRF,
        body: JSON.stringify({ username: 'alice', password: 'wrong' }),
      });
    expect([(await attempt(a)).status, (await attempt(b)).status]).toEqual([401, 401]);
    const limited = await attempt(a);
    expect({
      status: limited.status,
      body: await limited.json(),
      retryAfter: Number(limited.headers.get('retry-after')) > 0,
    }).toEqual({
      status: 429,
      body: { error: 'rate_limited', message: 'Too many attempts; try again later' },
      retryAfter: true,
    });
    expect((await attempt(b)).status).toBe(429);
  });

  it('reports Redis in /readyz', async () => {
    const { a } = await cluster();
    const res = await fetch(`${a.url}/readyz`);
    expect({ status: res.status, body: await res.json() }).toEqual({
      status: 200,
      body: { status: 'ready', checks: { idp: 'ok', redis: 'ok' } },
    });
  });
});

import { decodeJwt, SignJWT } from 'jose';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { RedisClient } from '../../src/stores/redis-client.js';
import { MovableClock } from '../support/clock.js';
import { listen, type Listening } from '../support/listen.js';
import {
  providerSuite,
  providerUnderTest,
  whereProvider,
  type ProviderUnderTest,
} from '../support/provider-under-test.js';
import { keysUnder, removeKeys, testRedis, uniquePrefix } from '../support/redis.js';

// Defect 4 of issue 13: a logout that carries only the refresh token must still end every access token of that
// Keycloak session, on every instance, and nothing a client forges may end someone else's.

// Runs on the embedded dev IdP (npm test) and on a real Keycloak (npm run test:keycloak): see provider-under-test.ts.
const SUITE = 'token-mode logout of a whole session';
const describe = providerSuite(SUITE);
const redisA = await testRedis(SUITE);
const redisB = redisA ? await testRedis(SUITE) : undefined;
const describeWithRedis = providerSuite(SUITE, Boolean(redisA && redisB));

// What a provider without session ids in its tokens (the generic one) cannot give the gateway.
const bySession = whereProvider(
  (says) => says.sessionIdInTokens,
  "its tokens name no session (no sid): a logout that brings only the refresh token cannot name the session's other access tokens, which stay valid until they expire",
);
const byForgery = whereProvider(
  (says) => says.readableRefreshTokens && says.logoutRefusesUnknownToken,
  'its refresh tokens are opaque handles, nothing to forge a session into, and RFC 7009 revocation answers 200 for an unknown one (section 2.2)',
);

const REVOKED = { status: 401, body: { error: 'token_revoked', message: 'The access token has been revoked' } };
const LOGGED_OUT = { status: 200, body: { message: 'Logged out' } };
const INVALID_GRANT = { status: 400, body: { error: 'invalid_grant', message: 'Invalid refresh token' } };
const ALICE = { status: 200, body: { user: expect.objectContaining({ username: 'alice' }) } };

interface Tokens {
  access_token: string;
  refresh_token: string;
}

let provider: ProviderUnderTest;
const running: Listening[] = [];
const prefixes: string[] = [];
beforeAll(async () => {
  provider = await providerUnderTest({ name: 'token-logout-session' });
});
afterAll(async () => {
  await Promise.all(running.map((r) => r.close()));
  if (redisA) for (const prefix of prefixes) await removeKeys(redisA, prefix);
  await provider?.close();
  redisA?.destroy();
  redisB?.destroy();
});

async function instance(
  options: { redis?: { client: RedisClient; keyPrefix: string }; clock?: MovableClock; on?: ProviderUnderTest } = {},
): Promise<string> {
  const gateway = (options.on ?? provider).gateway({
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.redis ? { redis: options.redis } : {}),
  });
  const server = await listen(gateway.app);
  running.push(server);
  return server.url;
}

async function call(
  url: string,
  path: string,
  init: { body?: unknown; bearer?: string } = {},
): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = {};
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (init.bearer !== undefined) headers.authorization = `Bearer ${init.bearer}`;
  const res = await fetch(`${url}${path}`, {
    method: init.body === undefined ? 'GET' : 'POST',
    headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  return { status: res.status, body: await res.json() };
}

async function login(url: string): Promise<Tokens> {
  const res = await call(url, '/api/auth/login', { body: { username: 'alice', password: 'alice-password' } });
  expect(res.status).toBe(200);
  return (res.body as { token: Tokens }).token;
}

async function refresh(url: string, tokens: Tokens): Promise<Tokens> {
  const res = await call(url, '/api/auth/refresh-token', { body: { refresh_token: tokens.refresh_token } });
  expect(res.status).toBe(200);
  return (res.body as { token: Tokens }).token;
}

const me = (url: string, tokens: Tokens) => call(url, '/api/auth/me', { bearer: tokens.access_token });
const logout = (url: string, refreshToken: string, bearer?: string) =>
  call(url, '/api/auth/logout', { body: { refresh_token: refreshToken }, ...(bearer ? { bearer } : {}) });

/** A refresh token shaped exactly like Keycloak's for alice's session, signed with a key the provider never had. */
async function forgedRefreshToken(victim: Tokens): Promise<string> {
  const claims = decodeJwt(victim.refresh_token);
  return new SignJWT({ ...claims, jti: 'forged' })
    .setProtectedHeader({ alg: 'HS512', typ: 'JWT' })
    .sign(randomBytes(64));
}

describe('token mode, one instance with the in-memory denylist', () => {
  bySession.it(
    'a logout with only the refresh token refuses every access token of that session: the login one and a refreshed one',
    async () => {
      const url = await instance();
      const first = await login(url);
      const second = await refresh(url, first);
      expect([await me(url, first), await me(url, second)]).toEqual([ALICE, ALICE]);

      expect(await logout(url, second.refresh_token)).toEqual(LOGGED_OUT);

      expect([await me(url, first), await me(url, second)]).toEqual([REVOKED, REVOKED]);
      expect(await provider.sessionActive(second.refresh_token)).toBe(false);
    },
  );

  bySession.it("another session of the same user keeps working after one session's logout", async () => {
    const url = await instance();
    const laptop = await login(url);
    const phone = await login(url);
    expect(await logout(url, laptop.refresh_token)).toEqual(LOGGED_OUT);
    expect([await me(url, laptop), await me(url, phone)]).toEqual([REVOKED, ALICE]);
    expect([
      await provider.sessionActive(laptop.refresh_token),
      await provider.sessionActive(phone.refresh_token),
    ]).toEqual([false, true]);
  });

  byForgery.it(
    "a forged refresh token naming alice's session, or a garbage one, ends nothing: 400 invalid_grant and alice keeps working",
    async () => {
      const url = await instance();
      const alice = await login(url);
      expect(await logout(url, await forgedRefreshToken(alice))).toEqual(INVALID_GRANT);
      expect(await logout(url, 'garbage')).toEqual(INVALID_GRANT);
      expect(await me(url, alice)).toEqual(ALICE);
      expect(await refresh(url, alice)).toEqual(expect.objectContaining({ access_token: expect.any(String) }));
    },
  );

  it("someone else's access token beside one's own refresh token revokes that access token only, not its session", async () => {
    const url = await instance();
    const alice = await login(url);
    const aliceLater = await refresh(url, alice);
    const mallory = await login(url);
    expect(await logout(url, mallory.refresh_token, alice.access_token)).toEqual(LOGGED_OUT);
    expect([await me(url, alice), await me(url, aliceLater)]).toEqual([REVOKED, ALICE]);
    // The session of the refresh token is refused only where tokens name their session (see bySession).
    if (provider.says.sessionIdInTokens) expect(await me(url, mallory)).toEqual(REVOKED);
  });

  it('logging out twice answers 200 both times and the session stays refused', async () => {
    const url = await instance();
    const tokens = await login(url);
    expect([await logout(url, tokens.refresh_token), await logout(url, tokens.refresh_token)]).toEqual([
      LOGGED_OUT,
      LOGGED_OUT,
    ]);
    if (provider.says.sessionIdInTokens) expect(await me(url, tokens)).toEqual(REVOKED);
  });

  bySession.it(
    'the session stays refused for as long as its access tokens live, even when they live longer than an hour',
    async () => {
      const clock = new MovableClock();
      const longLived = await providerUnderTest({
        clock,
        realm: (r) => ({ ...r, accessTokenLifespan: 7200 }),
        name: 'long-tokens',
      });
      try {
        const url = await instance({ clock, on: longLived });
        const tokens = await login(url);
        expect(await logout(url, tokens.refresh_token)).toEqual(LOGGED_OUT);
        clock.advanceSeconds(7200 - 30);
        expect(await me(url, tokens)).toEqual(REVOKED);
      } finally {
        await longLived.close();
      }
    },
  );
});

describeWithRedis('token mode, two instances sharing the denylist through Redis', () => {
  async function pair(): Promise<{ a: string; b: string; prefix: string }> {
    const prefix = uniquePrefix('token-logout');
    prefixes.push(prefix);
    return {
      a: await instance({ redis: { client: redisA as RedisClient, keyPrefix: prefix } }),
      b: await instance({ redis: { client: redisB as RedisClient, keyPrefix: prefix } }),
      prefix,
    };
  }

  bySession.it(
    'a logout on B with only the refresh token refuses the session on A and B; another session keeps working on both',
    async () => {
      const { a, b } = await pair();
      const first = await login(a);
      const second = await refresh(b, first);
      const other = await login(a);

      expect(await logout(b, second.refresh_token)).toEqual(LOGGED_OUT);

      expect([await me(a, first), await me(a, second), await me(b, first), await me(b, second)]).toEqual([
        REVOKED,
        REVOKED,
        REVOKED,
        REVOKED,
      ]);
      expect([await me(a, other), await me(b, other)]).toEqual([ALICE, ALICE]);
    },
  );

  byForgery.it('a forged refresh token at A denies nothing anywhere, and writes nothing to Redis', async () => {
    const { a, b, prefix } = await pair();
    const alice = await login(a);
    expect(await logout(a, await forgedRefreshToken(alice))).toEqual(INVALID_GRANT);
    expect([await me(a, alice), await me(b, alice)]).toEqual([ALICE, ALICE]);
    expect((await keysUnder(redisA as RedisClient, prefix)).filter((key) => key.includes('denied'))).toEqual([]);
  });

  it('logging out twice on different instances answers 200 both times', async () => {
    const { a, b } = await pair();
    const tokens = await login(a);
    expect([await logout(a, tokens.refresh_token), await logout(b, tokens.refresh_token)]).toEqual([
      LOGGED_OUT,
      LOGGED_OUT,
    ]);
    if (provider.says.sessionIdInTokens) expect([await me(a, tokens), await me(b, tokens)]).toEqual([REVOKED, REVOKED]);
  });
});

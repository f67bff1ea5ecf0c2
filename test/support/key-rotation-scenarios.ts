import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { decodeProtectedHeader } from 'jose';
import request from 'supertest';
import { DEMO_CLIENT_SECRET, type TestGateway } from './gateway.js';
import { providerTap } from './provider-tap.js';
import { KeySetDetour, type KeySetFault, type RotatingRealm } from './rotating-realm.js';

/*
 * The realm gets a new signing key (and later loses the old one) while gateways are running: what a user notices.
 * Registered by test/idp/key-rotation.test.ts (the embedded IdP) and test/keycloak/key-rotation.test.ts (a real
 * Keycloak, rotated through its Admin API): one set of tests, both providers.
 */

const CSRF = { 'X-CSRF': '1' };
const ALICE = {
  sub: expect.any(String),
  username: 'alice',
  email: 'alice@example.test',
  name: 'Alice Liddell',
  roles: expect.arrayContaining(['user']),
};
const UNAUTHENTICATED = { error: 'unauthenticated', message: 'Authentication is required' };
// The fault, the answer, and what the operator reads: the provider event, and what the gateway was doing.
const FAULTS: [KeySetFault, number, { error: string; message: string }, string, string][] = [
  ['a 500', 502, { error: 'idp_error', message: 'The identity provider answered with an error' }, 'idp.error', 'jwks'],
  [
    'no answer in time',
    504,
    { error: 'idp_timeout', message: 'The identity provider did not answer in time' },
    'idp.timeout',
    'jwks',
  ],
  [
    'a refused connection',
    503,
    { error: 'idp_unavailable', message: 'The identity provider cannot be reached' },
    'idp.unavailable',
    'jwks',
  ],
  [
    'a key set without the new key',
    502,
    { error: 'idp_error', message: 'The identity provider answered with an error' },
    'idp.error',
    'issued_token',
  ],
];

// A Keycloak login costs seconds of its CPU on a busy machine; the key-set timeouts add their own.
const TIMEOUT_MS = 60_000;

const kidOf = (jwt: unknown): unknown => decodeProtectedHeader(String(jwt)).kid;

export function keyRotationScenarios(start: () => Promise<RotatingRealm>): void {
  let realm: RotatingRealm;
  let detour: KeySetDetour;
  beforeAll(async () => {
    [realm, detour] = await Promise.all([start(), KeySetDetour.start()]);
  }, TIMEOUT_MS);
  afterAll(async () => {
    await Promise.all([realm.close(), detour.close()]);
  });

  const login = (gateway: TestGateway, password = 'alice-password') =>
    request(gateway.app).post('/api/auth/login').set(CSRF).send({ username: 'alice', password });
  const me = (gateway: TestGateway, accessToken: unknown) =>
    request(gateway.app)
      .get('/api/auth/me')
      .set('Authorization', `Bearer ${String(accessToken)}`);
  const tokenBody = () => ({
    access_token: expect.stringMatching(/^eyJ/),
    refresh_token: expect.any(String),
    id_token: expect.stringMatching(/^eyJ/),
    expires_in: realm.countdown(300),
    refresh_expires_in: realm.countdown(1800),
    token_type: 'Bearer',
    scope: expect.stringContaining('openid'),
  });
  /** A gateway that has verified a token already: it holds the key set, and its refetch cooldown is running. */
  async function warmGateway(options: Parameters<RotatingRealm['gateway']>[0] = {}): Promise<TestGateway> {
    const gateway = realm.gateway(options);
    expect((await login(gateway)).status).toBe(200);
    return gateway;
  }

  it(
    'a login right after the realm gets a new signing key answers 200 with the whole body, and /me accepts its token at once',
    async () => {
      const gateway = await warmGateway();
      const kid = await realm.rotate();
      const res = await login(gateway);
      expect({ status: res.status, body: res.body }).toEqual({
        status: 200,
        body: { message: 'Login successful', token: tokenBody(), user: ALICE },
      });
      expect(kidOf(res.body.token.access_token)).toBe(kid);
      const user = await me(gateway, res.body.token.access_token);
      expect({ status: user.status, body: user.body }).toEqual({ status: 200, body: { user: ALICE } });
    },
    TIMEOUT_MS,
  );

  it(
    'logins at once right after a rotation all answer 200, and the gateway fetches the key set once for them',
    async () => {
      const fetchesBefore = detour.fetches;
      const gateway = await warmGateway({ wrapFetch: detour.wrap, env: { LOGIN_FAILURES_PER_USER: '50' } });
      await realm.rotate();
      const answers = await Promise.all(Array.from({ length: 8 }, () => login(gateway)));
      expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 8 }, () => 200));
      // One when the gateway warmed up, one for the new key.
      expect(detour.fetches - fetchesBefore).toBe(2);
    },
    TIMEOUT_MS,
  );

  it(
    'a refresh right after a rotation answers 200 with new tokens, and /me accepts them at once, and the older ones too',
    async () => {
      const gateway = realm.gateway();
      const before = await login(gateway);
      expect((await me(gateway, before.body.token.access_token)).status).toBe(200);
      const kid = await realm.rotate();
      const refreshed = await request(gateway.app)
        .post('/api/auth/refresh-token')
        .send({ refresh_token: before.body.token.refresh_token });
      expect({ status: refreshed.status, body: refreshed.body }).toEqual({
        status: 200,
        body: { message: 'Token refreshed successfully', token: tokenBody() },
      });
      expect(kidOf(refreshed.body.token.access_token)).toBe(kid);
      const answers = await Promise.all([
        me(gateway, refreshed.body.token.access_token),
        me(gateway, before.body.token.access_token),
      ]);
      expect(answers.map((a) => ({ status: a.status, body: a.body }))).toEqual([
        { status: 200, body: { user: ALICE } },
        { status: 200, body: { user: ALICE } },
      ]);
    },
    TIMEOUT_MS,
  );

  it(
    "session mode: a login right after a rotation answers 200, and the session's /me and refresh work",
    async () => {
      // Every /me refreshes the session's tokens: the access token always expires within the hour.
      const gateway = await warmGateway({ mode: 'session', env: { REFRESH_SKEW_SECONDS: '3600' } });
      await realm.rotate();
      const agent = request.agent(gateway.app);
      const res = await agent.post('/api/auth/login').set(CSRF).send({ username: 'alice', password: 'alice-password' });
      expect({ status: res.status, body: res.body }).toEqual({
        status: 200,
        body: {
          message: 'Login successful',
          user: ALICE,
          session: { expires_at: expect.any(String), access_expires_at: expect.any(String) },
        },
      });
      const user = await agent.get('/api/auth/me');
      expect({ status: user.status, refreshed: user.headers['x-session-refreshed'], body: user.body }).toEqual({
        status: 200,
        refreshed: '1',
        body: { user: ALICE },
      });
      const refreshed = await agent.post('/api/auth/refresh-token').set(CSRF);
      expect({ status: refreshed.status, body: refreshed.body }).toEqual({
        status: 200,
        body: {
          message: 'Token refreshed successfully',
          session: { expires_at: expect.any(String), access_expires_at: expect.any(String) },
        },
      });
    },
    TIMEOUT_MS,
  );

  it(
    'once the old key is deleted, an access token it signed, verified and cached before, is refused within 30 s; tokens of the new key pass',
    async () => {
      const gateway = realm.gateway();
      const old = await realm.rotate();
      const signedByOld = await login(gateway);
      expect(kidOf(signedByOld.body.token.access_token)).toBe(old);
      expect((await me(gateway, signedByOld.body.token.access_token)).status).toBe(200);

      await realm.rotate();
      await realm.remove(old);
      realm.clock.advanceSeconds(31);
      try {
        const refused = await me(gateway, signedByOld.body.token.access_token);
        expect({ status: refused.status, body: refused.body }).toEqual({ status: 401, body: UNAUTHENTICATED });
        // Its refresh token is no RS256 token: it still refreshes, into a token of the new key.
        const refreshed = await request(gateway.app)
          .post('/api/auth/refresh-token')
          .send({ refresh_token: signedByOld.body.token.refresh_token });
        expect(refreshed.status).toBe(200);
        const passing = await me(gateway, refreshed.body.token.access_token);
        expect({ status: passing.status, body: passing.body }).toEqual({ status: 200, body: { user: ALICE } });
      } finally {
        // Keycloak keeps real time: its tokens must not look 31 s older to the next tests' gateways.
        realm.clock.advanceSeconds(-31);
      }
    },
    TIMEOUT_MS,
  );

  it(
    '/me asks the provider nothing for 20 s; then one request fetches the key set in the background, however many follow',
    async () => {
      const gateway = realm.gateway({ wrapFetch: detour.wrap });
      const { body } = await login(gateway);
      const fetched = detour.fetches;
      const burst = async () =>
        (await Promise.all(Array.from({ length: 20 }, () => me(gateway, body.token.access_token)))).map(
          (a) => a.status,
        );
      expect(await burst()).toEqual(Array.from({ length: 20 }, () => 200));
      expect(detour.fetches).toBe(fetched);
      realm.clock.advanceSeconds(21);
      try {
        expect(await burst()).toEqual(Array.from({ length: 20 }, () => 200));
        expect(await burst()).toEqual(Array.from({ length: 20 }, () => 200));
        expect(detour.fetches).toBe(fetched + 1);
      } finally {
        realm.clock.advanceSeconds(-21);
      }
    },
    TIMEOUT_MS,
  );

  it.each(FAULTS)(
    'when the new key cannot be fetched (%s), logins the provider accepted answer %i in the contract, never 401, count as no failure, and leave no provider session',
    async (fault, status, body, event, operation) => {
      const limits = {
        LOGIN_FAILURES_PER_USER: '2',
        LOGIN_FAILURES_PER_IP: '2',
        IDP_TIMEOUT_MS: realm.kind === 'keycloak' ? '3000' : '500',
      };
      const tap = providerTap();
      const gateway = await warmGateway({ wrapFetch: (network) => detour.wrap(tap.wrap(network)), env: limits });
      const keySetBefore = await (await fetch(`${realm.issuer}/protocol/openid-connect/certs`)).text();
      await realm.rotate();
      await detour.on(fault, keySetBefore);
      try {
        const answers = [];
        for (let i = 0; i < 3; i += 1) answers.push(await login(gateway));
        expect(answers.map((a) => ({ status: a.status, body: a.body }))).toEqual(
          Array.from({ length: 3 }, () => ({ status, body })),
        );
      } finally {
        detour.off();
      }
      expect(gateway.logs.events(event).map((line) => line.provider)).toEqual(
        Array.from({ length: 3 }, () => expect.objectContaining({ operation })),
      );
      expect(gateway.logs.events('auth.login.failed').map((line) => line.error)).toEqual(
        Array.from({ length: 3 }, () => body.error),
      );
      expect(gateway.logs.text()).not.toMatch(/eyJ[\w-]*\.eyJ/);
      const right = await login(gateway);
      expect({ status: right.status, body: right.body }).toEqual({
        status: 200,
        body: { message: 'Login successful', token: tokenBody(), user: ALICE },
      });

      // The gateway ended the provider sessions of the refused logins (without making their answers wait for it).
      const ended = () =>
        tap.answers.filter((a) => a.url.endsWith('/protocol/openid-connect/logout') && a.status === 204).length;
      for (let i = 0; i < 250 && ended() < 3; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
      const refused = tap.refreshTokens.slice(1, 4);
      const replays = await Promise.all(
        refused.map(async (refreshToken) => {
          const form = {
            grant_type: 'refresh_token',
            client_id: 'authgate',
            client_secret: DEMO_CLIENT_SECRET,
            refresh_token: refreshToken,
          };
          const res = await fetch(`${realm.issuer}/protocol/openid-connect/token`, {
            method: 'POST',
            body: new URLSearchParams(form),
          });
          return { status: res.status, error: ((await res.json()) as { error?: unknown }).error };
        }),
      );
      expect(replays).toEqual(Array.from({ length: 3 }, () => ({ status: 400, error: 'invalid_grant' })));
    },
    TIMEOUT_MS,
  );
}

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Express } from 'express';
import fc from 'fast-check';
import request from 'supertest';
import type { DevIdp } from '../../src/dev-idp/index.js';
import { refresh } from '../dev-idp/helpers.js';
import { buildTestGateway, DEMO_CLIENT_SECRET } from '../support/gateway.js';
import { startTestIdp } from '../support/idp.js';
import { providerTap, type ProviderTap } from '../support/provider-tap.js';

// One account, one failure budget, whatever identifier is typed (issue 13). The demo realm allows login by email, so
// `alice` and `alice@example.test` are one account at Keycloak.

const CSRF = { 'X-CSRF': '1' };
const RATE_LIMITED = '{"error":"rate_limited","message":"Too many attempts; try again later"}';

let idp: DevIdp;
/** The gateway's service account holds no realm-management role: the Admin API answers 403. */
let idpWithoutRoles: DevIdp;
/** The gateway's client has service accounts switched off: no client-credentials token at all. */
let idpWithoutServiceAccount: DevIdp;
beforeAll(async () => {
  idp = await startTestIdp();
  idpWithoutRoles = await startTestIdp({
    realm: (realm) => ({
      ...realm,
      users: realm.users.map((u) => (u.serviceAccountClientId ? { ...u, clientRoles: {} } : u)),
    }),
  });
  idpWithoutServiceAccount = await startTestIdp({
    realm: (realm) => ({ ...realm, clients: realm.clients.map((c) => ({ ...c, serviceAccountsEnabled: false })) }),
  });
});
afterAll(async () => {
  await Promise.all([idp.close(), idpWithoutRoles.close(), idpWithoutServiceAccount.close()]);
});

function gateway(mode: 'token' | 'session', tap: ProviderTap, failuresPerUser = 3, on = idp) {
  return buildTestGateway({
    idpUrl: on.url,
    mode,
    env: { LOGIN_FAILURES_PER_USER: String(failuresPerUser) },
    wrapFetch: tap.wrap,
  });
}

function login(app: Express, username: string, password: string) {
  return request(app).post('/api/auth/login').set(CSRF).send({ username, password });
}

async function eventually(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(check()).toBe(true);
}

/** The session Keycloak created for a login the client was refused is ended: its refresh token is refused. */
async function expectProviderSessionEnded(tap: ProviderTap, on = idp): Promise<void> {
  const refreshToken = tap.refreshTokens.at(-1);
  expect(refreshToken).toEqual(expect.any(String));
  await eventually(() => on.seen.some((seen) => seen.endpoint === 'logout' && seen.status === 204));
  const res = await refresh(on, refreshToken);
  expect({ status: res.status, body: res.body }).toEqual({
    status: 400,
    body: { error: 'invalid_grant', error_description: 'Session not active' },
  });
}

describe('one account, one failure budget (one gateway)', () => {
  it.each(['token', 'session'] as const)(
    '%s mode: after the failures as alice, her right password as alice@example.test is 429 exactly like a limited wrong attempt, with no cookie or token, and the provider session it created is ended',
    async (mode) => {
      const tap = providerTap();
      const { app, logs } = gateway(mode, tap);
      for (let i = 0; i < 3; i += 1) expect((await login(app, 'alice', 'guess')).status).toBe(401);
      const limitedWrong = await login(app, 'alice', 'another guess');
      expect({ status: limitedWrong.status, text: limitedWrong.text }).toEqual({ status: 429, text: RATE_LIMITED });

      idp.clearSeen();
      const right = await login(app, 'alice@example.test', 'alice-password');
      expect({ status: right.status, text: right.text }).toEqual({ status: 429, text: RATE_LIMITED });
      expect(right.headers['content-type']).toBe(limitedWrong.headers['content-type']);
      expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(right.headers['retry-after'])).toBeLessThanOrEqual(900);
      expect(right.headers['set-cookie']).toBeUndefined();
      // It waited for the same account lookup a wrong guess through this email waits for: its time tells nothing either.
      expect(tap.adminCalls()).toEqual([
        expect.stringContaining('/admin/realms/demo/users?email=alice%40example.test&exact=true'),
      ]);
      await expectProviderSessionEnded(tap);
      // The operator hears of it: the password was right (a guess, or alice herself, while she is being attacked).
      expect(logs.events('auth.login.right_password_while_limited')).toEqual([
        expect.objectContaining({ level: 'warn', path: '/api/auth/login' }),
      ]);
    },
  );

  it.each(['ALICE@EXAMPLE.TEST', 'Alice@Example.Test', 'ALICE'])(
    'a limited account is limited through %s too, right password or not',
    async (identifier) => {
      const tap = providerTap();
      const { app } = gateway('token', tap);
      for (let i = 0; i < 3; i += 1) expect((await login(app, 'alice', 'guess')).status).toBe(401);
      const wrong = await login(app, identifier, 'guess');
      const right = await login(app, identifier, 'alice-password');
      expect([wrong.status, wrong.text, right.status, right.text]).toEqual([429, RATE_LIMITED, 429, RATE_LIMITED]);
    },
  );

  it("a limited account's right password is 429 through its email even where the provider would say account_not_ready (which only a right password gets)", async () => {
    const { app } = gateway('token', providerTap(), 2);
    for (let i = 0; i < 2; i += 1) expect((await login(app, 'carol', 'guess')).status).toBe(401);
    const right = await login(app, 'Carol@Example.Test', 'carol-password');
    expect({ status: right.status, text: right.text }).toEqual({ status: 429, text: RATE_LIMITED });
  });

  it('an identifier Keycloak does not resolve (a leading space) is an unknown user: 401 even with the right password, on a budget of its own', async () => {
    const { app } = gateway('token', providerTap(), 2);
    for (let i = 0; i < 2; i += 1) expect((await login(app, 'alice', 'guess')).status).toBe(401);
    const spaced = await login(app, ' Alice@Example.Test', 'alice-password');
    expect({ status: spaced.status, body: spaced.body }).toEqual({
      status: 401,
      body: { error: 'invalid_credentials', message: 'Invalid username or password' },
    });
  });

  it('failures alternating between alice and alice@example.test exhaust one budget, and the next attempt never reaches the provider', async () => {
    const { app } = gateway('token', providerTap(), 4);
    for (const identifier of ['alice', 'alice@example.test', 'Alice', 'ALICE@example.test']) {
      expect((await login(app, identifier, 'guess')).status).toBe(401);
    }
    idp.clearSeen();
    const byName = await login(app, 'alice', 'alice-password');
    const byEmail = await login(app, 'alice@example.test', 'alice-password');
    expect([byName.status, byName.text, byEmail.status, byEmail.text]).toEqual([429, RATE_LIMITED, 429, RATE_LIMITED]);
    expect(idp.seen.filter((seen) => seen.grantType === 'password')).toEqual([]);
  });

  it('an unknown identifier keeps a budget of its own and does not touch a real account', async () => {
    const { app } = gateway('token', providerTap(), 2);
    expect((await login(app, 'nobody@example.test', 'guess')).status).toBe(401);
    expect((await login(app, 'nobody@example.test', 'guess')).status).toBe(401);
    expect((await login(app, 'nobody@example.test', 'guess')).status).toBe(429);
    expect((await login(app, 'alice@example.test', 'alice-password')).status).toBe(200);
    expect((await login(app, 'alice', 'alice-password')).status).toBe(200);
  });

  it('asks the Admin API only when a login through an email not known yet fails, once per email while remembered, never for a username', async () => {
    const tap = providerTap();
    const { app } = gateway('token', tap, 10);
    idp.clearSeen();
    // Successful logins teach the gateway the account's email for free; usernames need no lookup at all.
    expect((await login(app, 'alice', 'alice-password')).status).toBe(200);
    expect((await login(app, 'admin@example.test', 'admin-password')).status).toBe(200);
    expect((await login(app, 'bob', 'guess')).status).toBe(403);
    expect((await login(app, 'carol', 'guess')).status).toBe(401);
    expect((await login(app, 'ALICE@example.test', 'guess')).status).toBe(401);
    expect(tap.adminCalls()).toEqual([]);

    for (const identifier of [
      'Carol@Example.Test',
      'carol@example.test',
      'nobody@example.test',
      'NOBODY@example.test',
    ]) {
      expect((await login(app, identifier, 'guess')).status).toBe(401);
    }
    const searches = tap.adminCalls().map((url) => new URL(url).search);
    expect(searches).toEqual([
      '?email=carol%40example.test&exact=true&briefRepresentation=true',
      '?email=nobody%40example.test&exact=true&briefRepresentation=true',
    ]);
    // One client-credentials token served both searches.
    expect(idp.seen.filter((seen) => seen.grantType === 'client_credentials').length).toBe(1);
  });

  it.each([
    ['cannot be reached', () => providerTap({ adminDown: true }), () => idp, /cannot be reached/],
    ['answers 403 (the service account lacks view-users)', () => providerTap(), () => idpWithoutRoles, /view-users/],
    [
      'gives the gateway no token (service accounts off)',
      () => providerTap(),
      () => idpWithoutServiceAccount,
      /service account/,
    ],
  ])(
    'when the Admin API %s, logins still work, a failure through an email counts on that identifier, and a warning says what is missing',
    async (_case, makeTap, provider, missing) => {
      const on = provider();
      const { app, logs } = gateway('token', makeTap(), 2, on);
      const first = await login(app, 'alice@example.test', 'guess');
      expect({ status: first.status, body: first.body }).toEqual({
        status: 401,
        body: { error: 'invalid_credentials', message: 'Invalid username or password' },
      });
      expect((await login(app, 'alice@example.test', 'guess')).status).toBe(401);
      expect((await login(app, 'alice@example.test', 'guess')).status).toBe(429);
      // The failures were counted on the email as typed, not on alice's account, which still logs in.
      expect((await login(app, 'alice', 'alice-password')).status).toBe(200);
      const warnings = logs.events('auth.account_lookup.failed');
      expect(warnings).toEqual([expect.objectContaining({ level: 'warn', reason: expect.stringMatching(missing) })]);
      expect(logs.text()).not.toContain(DEMO_CLIENT_SECRET);
      expect(logs.text()).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
    },
  );

  it('parallel guesses through alice and her email, none of them remembered yet, get at most the budget of 401 answers', async () => {
    const { app } = gateway('token', providerTap(), 3);
    const guesses = await Promise.all(
      ['alice', 'alice@example.test', 'alice', 'Alice@example.test', 'alice', 'ALICE@example.test'].map((id, i) =>
        login(app, id, `guess-${i}`),
      ),
    );
    const statuses = guesses.map((res) => res.status);
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(3);
    expect(statuses.every((status) => status === 401 || status === 429)).toBe(true);
    expect((await login(app, 'alice@example.test', 'alice-password')).status).toBe(429);
  });

  it('whatever identifiers of alice an attacker types, one after another, the answers follow one budget (property)', async () => {
    const identifiers = ['alice', 'ALICE', 'alice@example.test', 'Alice@Example.TEST'];
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ identifier: fc.constantFrom(...identifiers), right: fc.boolean() }), {
          minLength: 1,
          maxLength: 9,
        }),
        async (attempts) => {
          const { app } = gateway('token', providerTap(), 3);
          let failures = 0;
          const seen: number[] = [];
          const expected: number[] = [];
          for (const { identifier, right } of attempts) {
            const res = await login(app, identifier, right ? 'alice-password' : 'guess');
            seen.push(res.status);
            expected.push(failures >= 3 ? 429 : right ? 200 : 401);
            if (failures < 3 && !right) failures += 1;
            if (res.status !== 200) expect(res.text).not.toContain('token');
          }
          expect(seen).toEqual(expected);
        },
      ),
      { numRuns: 25 },
    );
  });
});

import { beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { KeycloakAdmin } from '../../src/idp/keycloak-admin.js';
import { providerFetch } from '../../src/idp/provider-fetch.js';
import { MovableClock } from '../support/clock.js';
import { buildTestGateway } from '../support/gateway.js';
import { providerTap } from '../support/provider-tap.js';
import { keycloakUnderTest } from './tier.js';

/*
 * One failure budget per account (issue 13) against a real Keycloak: the Admin API search the gateway relies on, and
 * the whole story of a limited account's right password through its email, down to Keycloak's session being ended.
 */
const SUITE = 'one failure budget per account against a real Keycloak';
const KEYCLOAK_URL = keycloakUnderTest(SUITE);
const SECRET = process.env.KEYCLOAK_CLIENT_SECRET ?? 'authgate-dev-secret';
const RATE_LIMITED = '{"error":"rate_limited","message":"Too many attempts; try again later"}';
const suite = KEYCLOAK_URL ? describe : describe.skip;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

suite(`${SUITE} at ${KEYCLOAK_URL ?? '(none)'}`, () => {
  const url = KEYCLOAK_URL ?? '';
  const token = `${url}/realms/demo/protocol/openid-connect/token`;
  // A user of this run's own: the demo realm's brute-force detection would count other suites' failures for alice.
  const name = `budget-${randomUUID().slice(0, 8)}`;
  const email = `${name}@example.test`;
  const password = `${name}-Pass-1`;

  beforeAll(async () => {
    const grant = await fetch(token, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'authgate', client_secret: SECRET }),
    });
    const { access_token } = (await grant.json()) as { access_token: string };
    const created = await fetch(`${url}/admin/realms/demo/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        username: name,
        email,
        firstName: 'Budget',
        lastName: 'Tester',
        enabled: true,
        emailVerified: true,
        credentials: [{ type: 'password', value: password, temporary: false }],
      }),
    });
    expect(created.status).toBe(201);
  });

  it('the Admin API names the account behind an email, whatever its case, and nobody behind an unknown one', async () => {
    const admin = new KeycloakAdmin({
      url,
      realm: 'demo',
      clientId: 'authgate',
      clientSecret: SECRET,
      allowHttp: true,
      fetch: providerFetch(10_000),
      clock: new MovableClock(),
    });
    expect(await admin.usernameForEmail(email.toUpperCase())).toBe(name);
    expect(await admin.usernameForEmail('alice@example.test')).toBe('alice');
    expect(await admin.usernameForEmail(`nobody-${name}@example.test`)).toBeNull();
  });

  it("after the failures through the username, the right password through the email is 429 like a limited attempt, and Keycloak's session for it is ended", async () => {
    const tap = providerTap();
    const { app } = buildTestGateway({
      idpUrl: url,
      env: { KEYCLOAK_CLIENT_SECRET: SECRET, IDP_TIMEOUT_MS: '10000', LOGIN_FAILURES_PER_USER: '2' },
      wrapFetch: tap.wrap,
    });
    const login = (username: string, pass: string) =>
      request(app).post('/api/auth/login').send({ username, password: pass });
    // More than a second apart: Keycloak's quick-login check would lock the account for a minute, right password or not.
    expect((await login(name, 'guess-1')).status).toBe(401);
    await pause(1100);
    expect((await login(name, 'guess-2')).status).toBe(401);
    const limitedWrong = await login(name, 'guess-3');
    await pause(1100);
    const right = await login(email.toUpperCase(), password);
    expect([limitedWrong.status, limitedWrong.text, right.status, right.text]).toEqual([
      429,
      RATE_LIMITED,
      429,
      RATE_LIMITED,
    ]);
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);

    // Keycloak did let the password in: the gateway ended that session instead of handing it out.
    const refreshToken = tap.refreshTokens.at(-1);
    expect(refreshToken).toEqual(expect.any(String));
    for (let i = 0; i < 100 && !tap.answers.some((a) => a.url.endsWith('/logout') && a.status === 204); i += 1)
      await pause(20);
    const refreshed = await fetch(token, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: 'authgate',
        client_secret: SECRET,
        refresh_token: refreshToken ?? '',
      }),
    });
    expect({ status: refreshed.status, body: await refreshed.json() }).toEqual({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'Session not active' },
    });
  });
});

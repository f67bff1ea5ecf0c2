import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import request from 'supertest';
import type { Fetch } from '../../src/idp/provider-fetch.js';
import { projectRoot } from '../../src/support/project-root.js';
import { INVALID, ISO, TOKEN_SHAPE, createToken, exchange, offlineTokenOf } from '../service-tokens/helpers.js';
import { MovableClock } from '../support/clock.js';
import { buildTestGateway, DEMO_CLIENT_SECRET, type TestGateway } from '../support/gateway.js';
import { loginThrough } from '../support/tokens.js';
import { KeycloakTestAdmin, type AdminRealm } from './admin-api.js';
import { keycloakUnderTest } from './tier.js';

/*
 * Service tokens (issue 16) against a real Keycloak, over HTTP through the gateway: Keycloak's offline sessions behind
 * them, the rotated offline token kept under the demo realm's "revoke refresh token", revocation seen from both sides,
 * the realm's offline max lifespan refused at creation, and a client's own credentials. Each run imports its own copies
 * of the demo realm, so its sessions, consents and settings are nobody else's.
 */
const SUITE = 'service tokens against a real Keycloak';
const KEYCLOAK_URL = keycloakUnderTest(SUITE);
const suite = KEYCLOAK_URL ? describe : describe.skip;
const DAY = 86400;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type RealmJson = Record<string, unknown> & { users: Record<string, unknown>[] };

suite(`${SUITE} at ${KEYCLOAK_URL ?? '(none)'}`, () => {
  const admin = new KeycloakTestAdmin(KEYCLOAK_URL ?? '');
  const names = [`st-${randomUUID().slice(0, 8)}`, `st-capped-${randomUUID().slice(0, 8)}`];
  let realm: AdminRealm;
  let capped: AdminRealm;
  let gateway: TestGateway;
  let clock: MovableClock;
  /** The grant_type of every call the gateway made to the token endpoint, in order. */
  const grants: string[] = [];
  const refreshGrants = () => grants.filter((g) => g === 'refresh_token').length;

  const gatewayFor = (name: string) =>
    buildTestGateway({
      idpUrl: KEYCLOAK_URL ?? '',
      clock,
      env: { KEYCLOAK_REALM: name, KEYCLOAK_CLIENT_SECRET: DEMO_CLIENT_SECRET, IDP_TIMEOUT_MS: '10000' },
      wrapFetch:
        (network: Fetch): Fetch =>
        (input, init) => {
          if (String(input).endsWith('/protocol/openid-connect/token'))
            grants.push(new URLSearchParams(String(init?.body)).get('grant_type') ?? '(none)');
          return network(input, init);
        },
    });

  /** A user of this test's own (the realm's default roles give offline_access), as createToken's fields. */
  const ownUser = async (prefix: string) => {
    const username = `${prefix}-${randomUUID().slice(0, 6)}`;
    const password = `${username}-Pass-1`;
    await realm.createUser(username, password);
    return { username, password };
  };

  beforeAll(async () => {
    const demo = JSON.parse(await readFile(join(projectRoot(), 'keycloak-realm.json'), 'utf8')) as RealmJson;
    // Brute-force detection is not under test here, and its quick-login check would slow a run of many logins.
    realm = await admin.importDemoRealm(names[0] ?? '', { bruteForceProtected: false });
    expect(await realm.client('authgate')).toEqual(expect.objectContaining({ clientId: 'authgate' }));
    // A realm that ends every offline session after 60 days, and lets the gateway's service account read that.
    capped = await admin.importDemoRealm(names[1] ?? '', {
      bruteForceProtected: false,
      offlineSessionMaxLifespanEnabled: true,
      offlineSessionMaxLifespan: 60 * DAY,
      users: demo.users.map((u) =>
        u.serviceAccountClientId === 'authgate'
          ? {
              ...u,
              clientRoles: {
                'realm-management': [
                  ...((u.clientRoles as Record<string, string[]>)['realm-management'] ?? []),
                  'view-realm',
                ],
              },
            }
          : u,
      ),
    });
    clock = new MovableClock();
    gateway = gatewayFor(realm.name);
  }, 180_000);
  afterAll(async () => {
    for (const name of names) await admin.deleteRealm(name);
  }, 120_000);
  beforeEach(() => {
    grants.length = 0;
    // Keycloak keeps real time; a test that moves the gateway's clock ahead starts from real time again.
    clock.advance(Date.now() - clock.now());
  });

  it("creates tokens for days and for ever on Keycloak's offline sessions", async () => {
    const res = await request(gateway.app)
      .post('/api/auth/service-tokens')
      .send({ username: 'alice', password: 'alice-password', name: 'nightly report', days: 30 });
    expect({ status: res.status, body: res.body }).toEqual({
      status: 201,
      body: {
        message: 'Service token created',
        token: expect.stringMatching(TOKEN_SHAPE),
        service_token: {
          id: expect.stringMatching(/^[0-9a-f]{16}$/),
          name: 'nightly report',
          owner: 'alice',
          created_at: expect.stringMatching(ISO),
          expires_at: expect.stringMatching(ISO),
          days_left: 30,
          last_used_at: null,
        },
      },
    });
    const eternal = await request(gateway.app)
      .post('/api/auth/service-tokens')
      .send({ username: 'alice', password: 'alice-password', name: 'forever bot', eternal: true });
    expect({ status: eternal.status, body: eternal.body }).toEqual({
      status: 201,
      body: {
        message: 'Service token created',
        token: expect.stringMatching(TOKEN_SHAPE),
        service_token: expect.objectContaining({ name: 'forever bot', expires_at: null, days_left: null }),
      },
    });
    // One password grant each (the Admin API's own grant aside), and Keycloak holds an offline session for each.
    expect(grants.filter((g) => g === 'password')).toEqual(['password', 'password']);
    expect(await realm.offlineSessions('alice')).toHaveLength(2);
    expect(await realm.offlineSessionCount('authgate')).toBe(2);
    const offline = decodeJwt(await offlineTokenOf(gateway, res.body.service_token.id));
    expect(offline.typ).toBe('Offline');
  });

  it("exchanges for Keycloak's access token, which the gateway accepts, and answers a second exchange from it", async () => {
    const { token } = await createToken(gateway.app, { name: 'exchanger' });
    grants.length = 0;
    const first = await exchange(gateway.app, token);
    expect({ status: first.status, body: first.body }).toEqual({
      status: 200,
      body: { access_token: expect.stringMatching(/^eyJ/), expires_in: expect.any(Number), token_type: 'Bearer' },
    });
    expect(first.body.expires_in).toBeGreaterThan(290);
    expect(decodeJwt(first.body.access_token).iss).toBe(realm.issuer);
    const me = await request(gateway.app).get('/api/auth/me').set('Authorization', `Bearer ${first.body.access_token}`);
    expect({ status: me.status, body: me.body }).toEqual({
      status: 200,
      body: {
        user: {
          sub: await realm.userId('alice'),
          username: 'alice',
          email: 'alice@example.test',
          name: 'Alice Liddell',
          roles: expect.arrayContaining(['user', 'offline_access']),
        },
      },
    });
    const second = await exchange(gateway.app, token);
    expect({ status: second.status, access_token: second.body.access_token }).toEqual({
      status: 200,
      access_token: first.body.access_token,
    });
    // The access token of the creation served both: Keycloak saw no grant at all.
    expect(grants).toEqual([]);
  });

  it('keeps the rotated offline token: refresh after refresh works while the realm revokes used refresh tokens', async () => {
    expect(await admin.call('GET', `/admin/realms/${realm.name}`)).toEqual(
      expect.objectContaining({ revokeRefreshToken: true, refreshTokenMaxReuse: 0 }),
    );
    const { token, id } = await createToken(gateway.app, { name: 'rotating' });
    const seen = [await offlineTokenOf(gateway, id)];
    const accessTokens = new Set<string>();
    for (let round = 1; round <= 3; round += 1) {
      // The gateway's clock runs 250 s on: the access token it holds has too little life left for a bot.
      clock.advanceSeconds(250);
      const res = await exchange(gateway.app, token);
      expect({ round, status: res.status, body: res.body }).toEqual({
        round,
        status: 200,
        body: { access_token: expect.stringMatching(/^eyJ/), expires_in: expect.any(Number), token_type: 'Bearer' },
      });
      accessTokens.add(res.body.access_token);
      expect(refreshGrants()).toBe(round);
      seen.push(await offlineTokenOf(gateway, id));
    }
    expect(accessTokens.size).toBe(3);
    // Keycloak rotated the offline token on every grant and the gateway kept each new one: with reuse refused, a round
    // that presented a used one would have been refused by Keycloak and answered 401.
    expect(new Set(seen).size).toBe(4);
  });

  it('revoking through the gateway ends the offline session in Keycloak, and the next exchange is 401', async () => {
    const user = await ownUser('revoker');
    const { token, id } = await createToken(gateway.app, user);
    expect(await realm.offlineSessions(user.username)).toHaveLength(1);
    const res = await request(gateway.app)
      .delete(`/api/auth/service-tokens/${id}`)
      .set('Authorization', `Bearer ${(await loginThrough(gateway.app, user.username, user.password)).access_token}`);
    expect({ status: res.status, body: res.body }).toEqual({ status: 200, body: { message: 'Service token revoked' } });
    expect(await realm.offlineSessions(user.username)).toEqual([]);
    const next = await exchange(gateway.app, token);
    expect({ status: next.status, body: next.body }).toEqual({ status: 401, body: INVALID });
  });

  it('ending the offline session in Keycloak ends the service token: its next grant is 401 service_token_invalid', async () => {
    const user = await ownUser('consent');
    const { token } = await createToken(gateway.app, { ...user, name: 'ended' });
    expect((await exchange(gateway.app, token)).status).toBe(200);
    expect(await realm.offlineSessions(user.username)).toHaveLength(1);
    await realm.revokeConsent(user.username, 'authgate');
    expect(await realm.offlineSessions(user.username)).toEqual([]);
    // Until its access token runs short the gateway asks Keycloak nothing; then the refresh is refused.
    clock.advance(Date.now() + 250_000 - clock.now());
    const next = await exchange(gateway.app, token);
    expect({ status: next.status, body: next.body }).toEqual({ status: 401, body: INVALID });
    expect(grants.at(-1)).toBe('refresh_token');
    const inspect = await request(gateway.app)
      .get('/api/auth/service-tokens/current')
      .set('Authorization', `Bearer ${token}`);
    expect({ status: inspect.status, body: inspect.body }).toEqual({ status: 401, body: INVALID });
  });

  it("logging the user out in Keycloak's admin console ends the service token too", async () => {
    const user = await ownUser('logout');
    const { token } = await createToken(gateway.app, { ...user, name: 'out' });
    // Keycloak's logout ends the offline token through the user's "not before", counted in whole seconds: right after
    // the creation the token once still refreshed on 26.7.3 (same second, by all appearances), so the test waits.
    await pause(1100);
    await realm.logoutUser(user.username);
    clock.advance(Date.now() + 250_000 - clock.now());
    const next = await exchange(gateway.app, token);
    expect({ status: next.status, body: next.body }).toEqual({ status: 401, body: INVALID });
  });

  it("refuses a lifetime past the realm's offline session max lifespan with 400 invalid_request naming it", async () => {
    const cappedGateway = gatewayFor(capped.name);
    const create = (fields: Record<string, unknown>) =>
      request(cappedGateway.app)
        .post('/api/auth/service-tokens')
        .send({ username: 'alice', password: 'alice-password', name: 'bot', ...fields });
    const refused = (field: string) => ({
      status: 400,
      body: {
        error: 'invalid_request',
        message: 'The realm or the gateway cannot keep a token that long',
        details: [
          { field, problem: 'the realm ends every offline session after 60 days (offline session max lifespan)' },
        ],
      },
    });
    const long = await create({ days: 61 });
    expect({ status: long.status, body: long.body }).toEqual(refused('days'));
    const eternal = await create({ eternal: true });
    expect({ status: eternal.status, body: eternal.body }).toEqual(refused('eternal'));
    expect(await capped.offlineSessions('alice')).toEqual([]);
    await createToken(cappedGateway.app, { days: 60 });
    expect(await capped.offlineSessions('alice')).toHaveLength(1);
  });

  it("exchanges the reporting-bot client's own credentials (Basic) for its client-credentials access token", async () => {
    const basic = (secret: string) => `Basic ${Buffer.from(`reporting-bot:${secret}`).toString('base64')}`;
    const ok = await request(gateway.app)
      .post('/api/auth/service-token/refresh')
      .set('Authorization', basic('reporting-bot-dev-secret'));
    expect({ status: ok.status, body: ok.body }).toEqual({
      status: 200,
      body: { access_token: expect.stringMatching(/^eyJ/), expires_in: expect.any(Number), token_type: 'Bearer' },
    });
    expect([299, 300]).toContain(ok.body.expires_in);
    expect(decodeJwt(ok.body.access_token)).toEqual(
      expect.objectContaining({ azp: 'reporting-bot', iss: realm.issuer }),
    );
    const wrong = await request(gateway.app)
      .post('/api/auth/service-token/refresh')
      .set('Authorization', basic('not-the-secret'));
    expect({ status: wrong.status, body: wrong.body }).toEqual({ status: 401, body: INVALID });
  });
});

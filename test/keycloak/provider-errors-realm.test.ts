import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { KeycloakTestAdmin, type AdminRealm } from './admin-api.js';
import {
  AnswerRecord,
  CONTRACT,
  gatewayFor,
  keycloakSays,
  keycloakVersion,
  seen,
  sessionCookie,
  tokenLogin,
  type TappedGateway,
} from './provider-errors-support.js';
import { keycloakUnderTest } from './tier.js';

/*
 * Deployment faults on a real Keycloak: a disabled realm, a realm that does not exist, a client secret rotated at
 * Keycloak and not in the gateway. None of them is the user's fault: never a 401, never a counted failed login, and
 * a session survives them (it works again once the fault is repaired).
 */
const SUITE = 'deployment faults at a real Keycloak';
const KEYCLOAK_URL = keycloakUnderTest(SUITE);
const suite = KEYCLOAK_URL ? describe : describe.skip;
const READY = { status: 200, body: { status: 'ready', checks: { idp: 'ok' } } };

suite(`${SUITE} at ${KEYCLOAK_URL ?? '(none)'}`, () => {
  const url = KEYCLOAK_URL ?? '';
  const admin = new KeycloakTestAdmin(url);
  const id = randomUUID().slice(0, 8);
  const disabledName = `perr-disabled-${id}`;
  const name = `perr-faults-${id}`;
  const record = new AnswerRecord('provider-errors-realm');
  let disabled: AdminRealm;
  let realm: AdminRealm;
  let version = '';

  beforeAll(async () => {
    version = await keycloakVersion(admin);
    [disabled, realm] = await Promise.all([admin.importDemoRealm(disabledName), admin.importDemoRealm(name)]);
    await realm.createClient('authgate-rotated');
  }, 60_000);

  afterAll(async () => {
    await record.write(version);
    await Promise.all([admin.deleteRealm(disabledName), admin.deleteRealm(name)]);
  });

  async function newUser(where: AdminRealm, kase: string): Promise<{ username: string; password: string }> {
    const username = `${kase}-${randomUUID().slice(0, 6)}`;
    const password = `${username}-Pass-1`;
    await where.createUser(username, password);
    return { username, password };
  }

  const refresh = (gateway: TappedGateway, refreshToken: string) =>
    request(gateway.app).post('/api/auth/refresh-token').send({ refresh_token: refreshToken });
  const sessionRefresh = (gateway: TappedGateway, cookie: string) =>
    request(gateway.app).post('/api/auth/refresh-token').set('X-CSRF', '1').set('Cookie', cookie);
  const login = (gateway: TappedGateway, user: { username: string; password: string }) =>
    request(gateway.app).post('/api/auth/login').set('X-CSRF', '1').send(user);

  it('a disabled realm: 502 idp_error for login and refresh in both modes, sessions kept, readyz still 200; all works again once enabled', async () => {
    const env = { LOGIN_FAILURES_PER_USER: '1' };
    const tokenGateway = gatewayFor(url, disabledName, 'token', { env });
    const sessionGateway = gatewayFor(url, disabledName, 'session', { env });
    const user = await newUser(disabled, 'realm-off');
    const tokens = await tokenLogin(tokenGateway, user);
    const cookie = await sessionCookie(sessionGateway, user);
    await disabled.update({ enabled: false });
    try {
      // Discovery after the realm was disabled: Keycloak still serves the discovery document and the keys.
      const fresh = gatewayFor(url, disabledName, 'token', { env });
      expect(seen(await request(fresh.app).get('/readyz'))).toEqual(READY);

      const logins = [
        await login(tokenGateway, user),
        await login(tokenGateway, user),
        await login(sessionGateway, user),
        await login(fresh, user),
      ];
      expect(tokenGateway.tap.last('token')).toEqual(keycloakSays(403, 'access_denied', 'Realm not enabled'));
      expect(fresh.tap.last('token')).toEqual(keycloakSays(403, 'access_denied', 'Realm not enabled'));
      // Twice with a budget of one failure: a provider fault is not counted against the account.
      expect(logins.map(seen)).toEqual([CONTRACT.idpError, CONTRACT.idpError, CONTRACT.idpError, CONTRACT.idpError]);
      expect(logins[2]?.headers['set-cookie']).toBeUndefined();
      record.add(
        'login while the realm is disabled',
        tokenGateway.tap.last('token'),
        seen(logins[0] as request.Response),
      );

      const refused = await refresh(tokenGateway, tokens.refresh_token);
      expect(tokenGateway.tap.last('token')).toEqual(keycloakSays(403, 'access_denied', 'Realm not enabled'));
      expect(seen(refused)).toEqual(CONTRACT.idpError);
      record.add('token: refresh while the realm is disabled', tokenGateway.tap.last('token'), seen(refused));

      const kept = await sessionRefresh(sessionGateway, cookie);
      expect(sessionGateway.tap.last('token')).toEqual(keycloakSays(403, 'access_denied', 'Realm not enabled'));
      expect(seen(kept)).toEqual(CONTRACT.idpError);
      expect(kept.headers['set-cookie']).toBeUndefined();
      record.add('session: refresh while the realm is disabled', sessionGateway.tap.last('token'), seen(kept));
      expect(seen(await request(tokenGateway.app).get('/readyz'))).toEqual(READY);
    } finally {
      await disabled.update({ enabled: true });
    }
    expect((await refresh(tokenGateway, tokens.refresh_token)).status).toBe(200);
    expect(seen(await sessionRefresh(sessionGateway, cookie))).toEqual({
      status: 200,
      body: expect.objectContaining({ message: 'Token refreshed successfully' }),
    });
    expect((await login(tokenGateway, user)).status).toBe(200);
  });

  it.each(['token', 'session'] as const)(
    '%s mode: a realm that does not exist is 502 idp_error for readyz, login and refresh',
    async (mode) => {
      const gateway = gatewayFor(url, `no-such-realm-${id}`, mode);
      const ready = await request(gateway.app).get('/readyz');
      expect(gateway.tap.last('openid-configuration')).toEqual({ status: 404, error: 'Realm does not exist' });
      expect(seen(ready)).toEqual(CONTRACT.notReady);
      const loggedIn = await login(gateway, { username: 'alice', password: 'alice-password' });
      expect(seen(loggedIn)).toEqual(CONTRACT.idpError);
      expect(loggedIn.headers['set-cookie']).toBeUndefined();
      record.add(
        `${mode}: login at a realm that does not exist`,
        gateway.tap.last('openid-configuration'),
        seen(loggedIn),
      );
      if (mode === 'token') expect(seen(await refresh(gateway, 'a-refresh-token'))).toEqual(CONTRACT.idpError);
    },
  );

  it('a client secret rotated at Keycloak and not in the gateway: 502 unauthorized_client in both modes, the session kept until it is repaired', async () => {
    const env = { KEYCLOAK_CLIENT_ID: 'authgate-rotated' };
    const tokenGateway = gatewayFor(url, name, 'token', { env });
    const sessionGateway = gatewayFor(url, name, 'session', { env });
    const user = await newUser(realm, 'rotated');
    const tokens = await tokenLogin(tokenGateway, user);
    const cookie = await sessionCookie(sessionGateway, user);
    await realm.updateClient('authgate-rotated', { secret: 'a-rotated-secret' });
    const rejected = keycloakSays(401, 'unauthorized_client', 'Invalid client or Invalid client credentials');
    try {
      const refused = await refresh(tokenGateway, tokens.refresh_token);
      expect(tokenGateway.tap.last('token')).toEqual(rejected);
      expect(seen(refused)).toEqual(CONTRACT.unauthorizedClient);
      record.add('token: refresh after the client secret was rotated', tokenGateway.tap.last('token'), seen(refused));

      const kept = await sessionRefresh(sessionGateway, cookie);
      expect(sessionGateway.tap.last('token')).toEqual(rejected);
      expect(seen(kept)).toEqual(CONTRACT.unauthorizedClient);
      expect(kept.headers['set-cookie']).toBeUndefined();
      record.add('session: refresh after the client secret was rotated', sessionGateway.tap.last('token'), seen(kept));
      expect(tokenGateway.logs.events('idp.client_rejected')).toHaveLength(1);
    } finally {
      await realm.updateClient('authgate-rotated', { secret: 'authgate-dev-secret' });
    }
    expect((await refresh(tokenGateway, tokens.refresh_token)).status).toBe(200);
    expect((await sessionRefresh(sessionGateway, cookie)).status).toBe(200);
  });
});

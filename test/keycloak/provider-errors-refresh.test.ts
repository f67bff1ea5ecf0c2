import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { MovableClock } from '../support/clock.js';
import { providerTap } from '../support/provider-tap.js';
import { KeycloakTestAdmin, type AdminRealm } from './admin-api.js';
import {
  AnswerRecord,
  CLEARED_SESSION_COOKIE,
  CONTRACT,
  gatewayFor,
  keycloakSays,
  keycloakVersion,
  pause,
  seen,
  sessionCookie,
  tokenLogin,
  type TappedGateway,
} from './provider-errors-support.js';
import { keycloakUnderTest } from './tier.js';

/*
 * Every way a real Keycloak refuses a refresh, produced for real, and what a user of each mode sees: token mode
 * answers 400 invalid_grant; session mode answers 401 session_expired, clears the cookie and forgets the session.
 * The demo realm rotates refresh tokens (revokeRefreshToken, refreshTokenMaxReuse 0). Expiry has two realm copies
 * of its own: one with an SSO idle timeout of 3 seconds, one whose idle timeout is cut after login.
 */
const SUITE = "Keycloak's refusals of a refresh";
const KEYCLOAK_URL = keycloakUnderTest(SUITE);
const suite = KEYCLOAK_URL ? describe : describe.skip;
const IDLE_SECONDS = 3;

suite(`${SUITE} at ${KEYCLOAK_URL ?? '(none)'}`, () => {
  const url = KEYCLOAK_URL ?? '';
  const admin = new KeycloakTestAdmin(url);
  const id = randomUUID().slice(0, 8);
  const name = `perr-refresh-${id}`;
  const shortName = `perr-idle-${id}`;
  const shortenedName = `perr-shortened-${id}`;
  const record = new AnswerRecord('provider-errors-refresh');
  let realm: AdminRealm;
  let short: AdminRealm;
  let shortened: AdminRealm;
  let version = '';

  beforeAll(async () => {
    version = await keycloakVersion(admin);
    [realm, short, shortened] = await Promise.all([
      admin.importDemoRealm(name),
      admin.importDemoRealm(shortName, { ssoSessionIdleTimeout: IDLE_SECONDS }),
      admin.importDemoRealm(shortenedName),
    ]);
    await realm.createClient('authgate-revocable');
  }, 60_000);

  afterAll(async () => {
    await record.write(version);
    await Promise.all([admin.deleteRealm(name), admin.deleteRealm(shortName), admin.deleteRealm(shortenedName)]);
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
  const me = (gateway: TappedGateway, cookie: string) => request(gateway.app).get('/api/auth/me').set('Cookie', cookie);

  /** Session mode's answer to a refused refresh: 401 session_expired, the cookie cleared, the session gone. */
  async function expectSessionEnded(gateway: TappedGateway, cookie: string, res: request.Response): Promise<void> {
    expect(seen(res)).toEqual(CONTRACT.sessionExpired);
    expect(res.headers['set-cookie']).toEqual([expect.stringMatching(CLEARED_SESSION_COOKIE)]);
    // The old cookie, sent again, names no session any more.
    expect((await request(gateway.app).get('/api/auth/session').set('Cookie', cookie)).body).toEqual({
      authenticated: false,
    });
  }

  describe('a refresh token past its SSO idle timeout', () => {
    it('token mode: 400 invalid_grant; session mode: the gateway has forgotten the session, 401 unauthenticated without asking Keycloak', async () => {
      const tokenGateway = gatewayFor(url, shortName, 'token');
      const sessionGateway = gatewayFor(url, shortName, 'session');
      const user = await newUser(short, 'idle');
      const tokens = await tokenLogin(tokenGateway, user);
      const cookie = await sessionCookie(sessionGateway, user);
      await pause(IDLE_SECONDS * 1000 + 1500);

      const refused = await refresh(tokenGateway, tokens.refresh_token);
      expect(tokenGateway.tap.last('token')).toEqual(keycloakSays(400, 'invalid_grant', 'Token is not active'));
      expect(seen(refused)).toEqual(CONTRACT.invalidGrant);
      record.add('token: refresh after the SSO idle timeout', tokenGateway.tap.last('token'), seen(refused));

      // The session store keeps a session only until its refresh token ends (refresh_expires_in): past that, the
      // cookie names nothing, which is "not logged in", not "session expired".
      const answers = [await me(sessionGateway, cookie), await sessionRefresh(sessionGateway, cookie)];
      expect(answers.map(seen)).toEqual([CONTRACT.unauthenticated, CONTRACT.unauthenticated]);
      expect(answers.map((res) => res.headers['set-cookie'])).toEqual([undefined, undefined]);
      expect(sessionGateway.tap.calls('token')).toBe(1);
      record.add(
        'session: /me and refresh after the SSO idle timeout (Keycloak not asked)',
        undefined,
        seen(answers[1] as request.Response),
      );
    });
  });

  describe('an SSO idle timeout an administrator shortened after login', () => {
    it('token mode: 400 invalid_grant; session mode: 401 session_expired with the cookie cleared', async () => {
      const tokenGateway = gatewayFor(url, shortenedName, 'token');
      const sessionGateway = gatewayFor(url, shortenedName, 'session');
      const user = await newUser(shortened, 'shortened');
      const tokens = await tokenLogin(tokenGateway, user);
      const cookie = await sessionCookie(sessionGateway, user);
      await shortened.update({ ssoSessionIdleTimeout: 1 });
      await pause(2500);

      const refused = await refresh(tokenGateway, tokens.refresh_token);
      expect(tokenGateway.tap.last('token')).toEqual(keycloakSays(400, 'invalid_grant', 'Session not active'));
      expect(seen(refused)).toEqual(CONTRACT.invalidGrant);
      record.add(
        'token: refresh after the SSO idle timeout was shortened',
        tokenGateway.tap.last('token'),
        seen(refused),
      );

      const ended = await sessionRefresh(sessionGateway, cookie);
      expect(sessionGateway.tap.last('token')).toEqual(keycloakSays(400, 'invalid_grant', 'Session not active'));
      await expectSessionEnded(sessionGateway, cookie, ended);
      record.add(
        'session: refresh after the SSO idle timeout was shortened',
        sessionGateway.tap.last('token'),
        seen(ended),
      );
    });
  });

  describe('a reused refresh token (rotation on, no reuse allowed)', () => {
    it('token mode: the replay is 400 invalid_grant with a security event, and the chain it belongs to is dead', async () => {
      const gateway = gatewayFor(url, name, 'token');
      const first = await tokenLogin(gateway, await newUser(realm, 'reuse'));
      const second = await refresh(gateway, first.refresh_token);
      expect(second.status).toBe(200);

      const replay = await refresh(gateway, first.refresh_token);
      expect(gateway.tap.last('token')).toEqual(
        keycloakSays(400, 'invalid_grant', 'Maximum allowed refresh token reuse exceeded'),
      );
      expect(seen(replay)).toEqual(CONTRACT.invalidGrant);
      const events = gateway.logs.events('auth.refresh.reuse_detected');
      expect(events.map((line) => line.requestId)).toEqual([replay.headers['x-request-id']]);
      record.add('token: a refresh token used a second time', gateway.tap.last('token'), seen(replay));

      const newest = await refresh(gateway, second.body.token.refresh_token);
      expect(gateway.tap.last('token')).toEqual(
        keycloakSays(400, 'invalid_grant', "Session doesn't have required client"),
      );
      expect(seen(newest)).toEqual(CONTRACT.invalidGrant);
      record.add('token: the newest refresh token after a reuse', gateway.tap.last('token'), seen(newest));
    });

    it("session mode: when a stolen copy of the session's refresh token was used elsewhere, the session ends at its next refresh, with a security event", async () => {
      const tokens = providerTap();
      const gateway = gatewayFor(url, name, 'session', { wrap: tokens.wrap });
      const cookie = await sessionCookie(gateway, await newUser(realm, 'stolen'));
      const stolen = tokens.refreshTokens.at(-1) ?? '';
      const thief = await fetch(`${realm.issuer}/protocol/openid-connect/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          client_id: 'authgate',
          client_secret: 'authgate-dev-secret',
          refresh_token: stolen,
        }),
      });
      expect(thief.status).toBe(200);

      const res = await sessionRefresh(gateway, cookie);
      expect(gateway.tap.last('token')).toEqual(
        keycloakSays(400, 'invalid_grant', 'Maximum allowed refresh token reuse exceeded'),
      );
      await expectSessionEnded(gateway, cookie, res);
      expect(gateway.logs.events('auth.refresh.reuse_detected').map((line) => line.requestId)).toEqual([
        res.headers['x-request-id'],
      ]);
      record.add('session: refresh after a stolen copy was used', gateway.tap.last('token'), seen(res));
    });
  });

  describe('a stale refresh token', () => {
    it('token mode: an older token of a rotated chain is 400 invalid_grant with a security event', async () => {
      const gateway = gatewayFor(url, name, 'token');
      const first = await tokenLogin(gateway, await newUser(realm, 'stale'));
      // Keycloak calls a token stale when it was issued before the client session's last refresh, in whole seconds:
      // a chain rotated within the token's own second still takes it (seen on 26.5.6 when the run was fast).
      await pause(1100);
      const second = await refresh(gateway, first.refresh_token);
      expect((await refresh(gateway, second.body.token.refresh_token)).status).toBe(200);

      const res = await refresh(gateway, first.refresh_token);
      expect(gateway.tap.last('token')).toEqual(keycloakSays(400, 'invalid_grant', 'Stale token'));
      expect(seen(res)).toEqual(CONTRACT.invalidGrant);
      expect(gateway.logs.events('auth.refresh.reuse_detected').map((line) => line.requestId)).toEqual([
        res.headers['x-request-id'],
      ]);
      record.add('token: an older refresh token of a rotated chain', gateway.tap.last('token'), seen(res));
    });

    it("both modes: tokens issued before the client's not-before (the admin console's revocation) are refused", async () => {
      const env = { KEYCLOAK_CLIENT_ID: 'authgate-revocable' };
      const tokenGateway = gatewayFor(url, name, 'token', { env });
      const sessionGateway = gatewayFor(url, name, 'session', { env });
      const user = await newUser(realm, 'revoked');
      const tokens = await tokenLogin(tokenGateway, user);
      const cookie = await sessionCookie(sessionGateway, user);
      // Keycloak compares whole seconds: a token issued in the second of the not-before is still valid.
      await pause(1100);
      await realm.updateClient('authgate-revocable', { notBefore: Math.floor(Date.now() / 1000) });

      const refused = await refresh(tokenGateway, tokens.refresh_token);
      expect(tokenGateway.tap.last('token')).toEqual(keycloakSays(400, 'invalid_grant', 'Stale token'));
      expect(seen(refused)).toEqual(CONTRACT.invalidGrant);
      record.add(
        "token: refresh token issued before the client's not-before",
        tokenGateway.tap.last('token'),
        seen(refused),
      );

      const ended = await sessionRefresh(sessionGateway, cookie);
      expect(sessionGateway.tap.last('token')).toEqual(keycloakSays(400, 'invalid_grant', 'Stale token'));
      await expectSessionEnded(sessionGateway, cookie, ended);
      record.add(
        "session: refresh token issued before the client's not-before",
        sessionGateway.tap.last('token'),
        seen(ended),
      );
    });
  });

  describe('sessions an administrator ended (Admin API: log the user out)', () => {
    it('token mode: refresh is 400 invalid_grant; the access token is still accepted by /me until it expires; logout is 200', async () => {
      const gateway = gatewayFor(url, name, 'token');
      const user = await newUser(realm, 'signed-out');
      const tokens = await tokenLogin(gateway, user);
      await realm.logoutUser(user.username);

      const res = await refresh(gateway, tokens.refresh_token);
      expect(gateway.tap.last('token')).toEqual(keycloakSays(400, 'invalid_grant', 'Session not active'));
      expect(seen(res)).toEqual(CONTRACT.invalidGrant);
      record.add('token: refresh after an admin ended the sessions', gateway.tap.last('token'), seen(res));

      // Verified locally against the realm's keys, with no call to Keycloak: the admin's sign-out is not seen here.
      const stillAccepted = await request(gateway.app)
        .get('/api/auth/me')
        .set('Authorization', `Bearer ${tokens.access_token}`);
      expect(stillAccepted.status).toBe(200);

      // Keycloak answers 204 for a session that is already gone: logging out stays idempotent.
      const out = await request(gateway.app).post('/api/auth/logout').send({ refresh_token: tokens.refresh_token });
      expect(gateway.tap.last('logout')).toBeUndefined();
      expect(seen(out)).toEqual({ status: 200, body: { message: 'Logged out' } });
    });

    it('session mode: /me answers from the session until the access token is due, then 401 session_expired with the cookie cleared', async () => {
      const clock = new MovableClock();
      const gateway = gatewayFor(url, name, 'session', { clock });
      const user = await newUser(realm, 'signed-out');
      const cookie = await sessionCookie(gateway, user);
      await realm.logoutUser(user.username);

      expect((await me(gateway, cookie)).status).toBe(200);
      clock.advanceSeconds(300);
      const res = await me(gateway, cookie);
      expect(gateway.tap.last('token')).toEqual(keycloakSays(400, 'invalid_grant', 'Session not active'));
      await expectSessionEnded(gateway, cookie, res);
      record.add(
        'session: /me once the access token is due, after an admin ended the sessions',
        gateway.tap.last('token'),
        seen(res),
      );
    });
  });

  describe('a user disabled after login', () => {
    it('token mode: refresh is 400 invalid_grant; session mode: refresh is 401 session_expired with the cookie cleared', async () => {
      const tokenGateway = gatewayFor(url, name, 'token');
      const sessionGateway = gatewayFor(url, name, 'session');
      const user = await newUser(realm, 'disabled-later');
      const tokens = await tokenLogin(tokenGateway, user);
      // With brute-force detection on, Keycloak refuses a user's login that follows another too closely (keycloak#48272).
      await pause(1100);
      const cookie = await sessionCookie(sessionGateway, user);
      await realm.updateUser(user.username, { enabled: false });

      const refused = await refresh(tokenGateway, tokens.refresh_token);
      expect(tokenGateway.tap.last('token')).toEqual(keycloakSays(400, 'invalid_grant', 'User disabled'));
      expect(seen(refused)).toEqual(CONTRACT.invalidGrant);
      record.add('token: refresh after the user was disabled', tokenGateway.tap.last('token'), seen(refused));

      const ended = await sessionRefresh(sessionGateway, cookie);
      expect(sessionGateway.tap.last('token')).toEqual(keycloakSays(400, 'invalid_grant', 'User disabled'));
      await expectSessionEnded(sessionGateway, cookie, ended);
      record.add('session: refresh after the user was disabled', sessionGateway.tap.last('token'), seen(ended));
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { KeycloakTestAdmin, type AdminRealm } from './admin-api.js';
import {
  AnswerRecord,
  CONTRACT,
  disabledUserPasswordCheckedFirst,
  gatewayFor,
  keycloakSays,
  keycloakVersion,
  passwordGrantRefusalStatus,
  pause,
  seen,
  type KeycloakAnswer,
  type Mode,
} from './provider-errors-support.js';
import { keycloakUnderTest } from './tier.js';

/*
 * Every way a real Keycloak refuses a password login, produced for real (users, clients and realm settings made through
 * the Admin API in a private copy of the demo realm), and what the gateway answers for each in both modes. What
 * Keycloak itself answered is asserted too, per version, so a Keycloak upgrade that changes an answer shows here.
 */
const SUITE = "Keycloak's refusals of a password login";
const KEYCLOAK_URL = keycloakUnderTest(SUITE);
const suite = KEYCLOAK_URL ? describe : describe.skip;
const MODES: Mode[] = ['token', 'session'];

suite(`${SUITE} at ${KEYCLOAK_URL ?? '(none)'}`, () => {
  const url = KEYCLOAK_URL ?? '';
  const admin = new KeycloakTestAdmin(url);
  const name = `perr-login-${randomUUID().slice(0, 8)}`;
  const record = new AnswerRecord('provider-errors-login');
  let realm: AdminRealm;
  let version = '';
  /** What Keycloak answers a wrong password in this version (400 from 26.6, 401 before). */
  let wrongPassword: KeycloakAnswer;

  beforeAll(async () => {
    version = await keycloakVersion(admin);
    wrongPassword = keycloakSays(passwordGrantRefusalStatus(version), 'invalid_grant', 'Invalid user credentials');
    // Brute-force detection as in the demo realm, but locking after two failures instead of thirty.
    realm = await admin.importDemoRealm(name, { bruteForceProtected: true, permanentLockout: false, failureFactor: 2 });
    await realm.createClient('authgate-no-direct-grants', {
      directAccessGrantsEnabled: false,
      standardFlowEnabled: true,
      redirectUris: ['http://localhost:3000/*'],
    });
    await realm.createClient('authgate-disabled', { enabled: false });
  }, 60_000);

  afterAll(async () => {
    await record.write(version);
    await admin.deleteRealm(name);
  });

  /** A user of this case and mode only: Keycloak's brute-force state and sessions are per user. */
  async function newUser(
    kase: string,
    mode: Mode,
    extra: Record<string, unknown> = {},
  ): Promise<{ username: string; password: string }> {
    const username = `${kase}-${mode}-${randomUUID().slice(0, 6)}`;
    const password = `${username}-Pass-1`;
    await realm.createUser(username, password, extra);
    return { username, password };
  }

  async function login(mode: Mode, body: Record<string, string>, env: Record<string, string> = {}) {
    const gateway = gatewayFor(url, name, mode, { env });
    const res = await request(gateway.app).post('/api/auth/login').set('X-CSRF', '1').send(body);
    return { res, gateway };
  }

  /** What every refused login shares in both modes: no token, no session cookie, nothing cacheable. */
  function expectNothingGranted(res: request.Response): void {
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).not.toMatch(/eyJ/);
  }

  describe.each(MODES)('in %s mode', (mode) => {
    it('a wrong password is 401 invalid_credentials', async () => {
      const user = await newUser('wrong', mode);
      const { res, gateway } = await login(mode, { username: user.username, password: 'not-the-password' });
      expect(gateway.tap.last('token')).toEqual(wrongPassword);
      expect(seen(res)).toEqual(CONTRACT.invalidCredentials);
      expectNothingGranted(res);
      record.add(`${mode}: wrong password`, gateway.tap.last('token'), seen(res));
    });

    it('an unknown user is the same 401 invalid_credentials, byte for byte', async () => {
      const user = await newUser('known', mode);
      const unknown = await login(mode, { username: `nobody-${randomUUID().slice(0, 8)}`, password: 'whatever' });
      const wrong = await login(mode, { username: user.username, password: 'whatever' });
      expect(unknown.gateway.tap.last('token')).toEqual(wrongPassword);
      expect(seen(unknown.res)).toEqual(CONTRACT.invalidCredentials);
      expect(unknown.res.text).toBe(wrong.res.text);
      expectNothingGranted(unknown.res);
      record.add(`${mode}: unknown user`, unknown.gateway.tap.last('token'), seen(unknown.res));
    });

    it('a disabled user is 403 account_disabled for the right password; a wrong one gets what Keycloak says, by version', async () => {
      const user = await newUser('disabled', mode, { enabled: false });
      const right = await login(mode, user);
      const wrong = await login(mode, { username: user.username, password: 'not-the-password' });
      const disabledAnswer = keycloakSays(400, 'invalid_grant', 'Account disabled');
      // Before 26.6 Keycloak says "Account disabled" without looking at the password: the gateway cannot know better.
      const checkedFirst = disabledUserPasswordCheckedFirst(version);
      expect([right.gateway.tap.last('token'), wrong.gateway.tap.last('token')]).toEqual([
        disabledAnswer,
        checkedFirst ? wrongPassword : disabledAnswer,
      ]);
      expect([seen(right.res), seen(wrong.res)]).toEqual([
        CONTRACT.accountDisabled,
        checkedFirst ? CONTRACT.invalidCredentials : CONTRACT.accountDisabled,
      ]);
      expectNothingGranted(right.res);
      expectNothingGranted(wrong.res);
      record.add(`${mode}: disabled user, right password`, right.gateway.tap.last('token'), seen(right.res));
      record.add(`${mode}: disabled user, wrong password`, wrong.gateway.tap.last('token'), seen(wrong.res));
    });

    it.each([
      ['a required action to update the password', { requiredActions: ['UPDATE_PASSWORD'] }],
      ['a required action to verify the email', { requiredActions: ['VERIFY_EMAIL'] }],
      [
        'a profile without the names and email the user profile requires (VERIFY_PROFILE)',
        { firstName: null, lastName: null, email: null },
      ],
    ])('%s is 403 account_not_ready', async (_case, extra) => {
      const user = await newUser('pending', mode, extra);
      const { res, gateway } = await login(mode, user);
      expect(gateway.tap.last('token')).toEqual(keycloakSays(400, 'invalid_grant', 'Account is not fully set up'));
      expect(seen(res)).toEqual(CONTRACT.accountNotReady);
      expectNothingGranted(res);
      record.add(`${mode}: ${_case}`, gateway.tap.last('token'), seen(res));
    });

    it("a user locked by Keycloak's brute-force detection gets, for the right password, exactly the wrong password's 401", async () => {
      const user = await newUser('locked', mode);
      const gateway = gatewayFor(url, name, mode);
      const attempt = (password: string) =>
        request(gateway.app).post('/api/auth/login').set('X-CSRF', '1').send({ username: user.username, password });
      const first = await attempt('guess-1');
      // More than a second apart, so that it is the failure count that locks, not the quick-login check.
      await pause(1100);
      await attempt('guess-2');
      const locked = await admin.call<{ disabled: boolean; numFailures: number }>(
        'GET',
        `/admin/realms/${name}/attack-detection/brute-force/users/${await realm.userId(user.username)}`,
      );
      expect(locked).toMatchObject({ disabled: true, numFailures: 2 });

      const right = await attempt(user.password);
      expect(gateway.tap.last('token')).toEqual(wrongPassword);
      expect(seen(right)).toEqual(CONTRACT.invalidCredentials);
      expect(right.text).toBe(first.text);
      expectNothingGranted(right);
      record.add(`${mode}: locked by brute force, right password`, gateway.tap.last('token'), seen(right));
    });

    it('a scope the client does not have is 400 invalid_scope', async () => {
      const user = await newUser('scope', mode);
      const { res, gateway } = await login(mode, { ...user, scope: 'unknown-scope' });
      expect(gateway.tap.last('token')).toEqual(
        keycloakSays(400, 'invalid_scope', 'Invalid scopes: unknown-scope openid'),
      );
      expect(seen(res)).toEqual(CONTRACT.invalidScope);
      expectNothingGranted(res);
      record.add(`${mode}: unknown scope`, gateway.tap.last('token'), seen(res));
    });

    it('offline_access for a user without the offline_access role is 400 invalid_scope', async () => {
      const user = await newUser('offline', mode);
      await realm.removeRealmRoles(user.username);
      const { res, gateway } = await login(mode, { ...user, scope: 'offline_access' });
      expect(gateway.tap.last('token')).toEqual(
        keycloakSays(400, 'not_allowed', 'Offline tokens not allowed for the user or client'),
      );
      expect(seen(res)).toEqual(CONTRACT.invalidScope);
      expectNothingGranted(res);
      record.add(`${mode}: offline_access not allowed`, gateway.tap.last('token'), seen(res));
    });

    it.each([
      [
        'a wrong client secret',
        { KEYCLOAK_CLIENT_SECRET: 'not-the-secret' },
        keycloakSays(401, 'unauthorized_client', 'Invalid client or Invalid client credentials'),
      ],
      [
        'an unknown client',
        { KEYCLOAK_CLIENT_ID: 'no-such-client' },
        keycloakSays(401, 'invalid_client', 'Invalid client or Invalid client credentials'),
      ],
      [
        'a disabled client',
        { KEYCLOAK_CLIENT_ID: 'authgate-disabled' },
        keycloakSays(401, 'invalid_client', 'Invalid client or Invalid client credentials'),
      ],
      [
        'a client without direct access grants',
        { KEYCLOAK_CLIENT_ID: 'authgate-no-direct-grants' },
        keycloakSays(400, 'unauthorized_client', 'Client not allowed for direct access grants'),
      ],
    ])(
      '%s is 502 unauthorized_client, logged as a deployment fault and never counted against the user',
      async (_case, env, keycloak) => {
        const user = await newUser('client', mode);
        const gateway = gatewayFor(url, name, mode, { env: { ...env, LOGIN_FAILURES_PER_USER: '1' } });
        const attempt = () => request(gateway.app).post('/api/auth/login').set('X-CSRF', '1').send(user);
        const answers = [await attempt(), await attempt(), await attempt()];
        expect(gateway.tap.last('token')).toEqual(keycloak);
        expect(answers.map(seen)).toEqual([
          CONTRACT.unauthorizedClient,
          CONTRACT.unauthorizedClient,
          CONTRACT.unauthorizedClient,
        ]);
        expectNothingGranted(answers[0] as request.Response);
        expect(gateway.logs.events('idp.client_rejected')).toHaveLength(3);
        record.add(`${mode}: ${_case}`, gateway.tap.last('token'), seen(answers[0] as request.Response));
      },
    );
  });
});

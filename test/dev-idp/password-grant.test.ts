import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DevIdp } from '../../src/dev-idp/index.js';
import { CLIENT, claims, login, oauthError, startTestIdp, token } from './helpers.js';

let idp: DevIdp;
let before266: DevIdp;
beforeAll(async () => {
  idp = await startTestIdp();
  before266 = await startTestIdp({ passwordGrantErrorStatus: 401, signingKey: idp.signingKey });
});
afterAll(async () => {
  await Promise.all([idp.close(), before266.close()]);
});

describe('a successful password grant', () => {
  it("answers Keycloak's token response with no-store headers and plain application/json", async () => {
    const res = await login(idp, 'alice', 'alice-password');
    expect(res.status).toBe(200);
    expect({
      type: res.headers.get('content-type'),
      cache: res.headers.get('cache-control'),
      pragma: res.headers.get('pragma'),
    }).toEqual({
      type: 'application/json',
      cache: 'no-store',
      pragma: 'no-cache',
    });
    expect(res.body).toEqual({
      access_token: expect.any(String),
      expires_in: 300,
      refresh_expires_in: 1800,
      refresh_token: expect.any(String),
      token_type: 'Bearer',
      'not-before-policy': 0,
      session_state: expect.stringMatching(/^[\w-]{24}$/),
      scope: 'profile email',
    });
  });

  it('accepts the email as the username, and client credentials in a form-encoded Basic header', async () => {
    const basic = Buffer.from('authgate:authgate-dev-secret').toString('base64');
    const res = await token(
      idp,
      { grant_type: 'password', username: 'ALICE@example.test', password: 'alice-password' },
      { authorization: `Basic ${basic}` },
    );
    expect({ status: res.status, user: claims(res.body?.access_token).preferred_username }).toEqual({
      status: 200,
      user: 'alice',
    });
  });

  it('grants openid, the default scopes and asked optional scopes, but never names roles, web-origins, acr or basic', async () => {
    const res = await login(idp, 'alice', 'alice-password', { scope: 'openid roles phone web-origins' });
    expect({ scope: res.body?.scope, idToken: typeof res.body?.id_token }).toEqual({
      scope: 'openid profile email phone',
      idToken: 'string',
    });
    expect((await login(idp, 'alice', 'alice-password', { scope: 'email' })).body).not.toHaveProperty('id_token');
  });

  it('accepts the optional scopes a new Keycloak realm has; microprofile-jwt adds upn and the realm roles as groups', async () => {
    const res = await login(idp, 'admin', 'admin-password', {
      scope: 'openid address phone microprofile-jwt organization',
    });
    // organization is accepted but not granted: the realm has no organizations (as Keycloak 26.7.3 answers).
    expect(res.body?.scope).toBe('openid profile email address phone microprofile-jwt');
    for (const jwt of [res.body?.access_token, res.body?.id_token]) {
      expect(claims(jwt)).toMatchObject({ upn: 'admin', groups: ['user', 'admin', 'offline_access'] });
    }
    expect(claims((await login(idp, 'admin', 'admin-password')).body?.access_token)).not.toHaveProperty('upn');
  });

  it('issues an offline token, typ Offline without expiry, for offline_access', async () => {
    const res = await login(idp, 'alice', 'alice-password', { scope: 'offline_access' });
    expect({ scope: res.body?.scope, refresh_expires_in: res.body?.refresh_expires_in }).toEqual({
      scope: 'profile email offline_access',
      refresh_expires_in: 0,
    });
    expect(claims(res.body?.refresh_token)).toMatchObject({ typ: 'Offline' });
    expect(claims(res.body?.refresh_token)).not.toHaveProperty('exp');
  });
});

describe('a refused password grant', () => {
  it.each([
    ['a wrong password', 'alice', 'nope', 'invalid_grant', 'Invalid user credentials'],
    ['an unknown user', 'mallory', 'nope', 'invalid_grant', 'Invalid user credentials'],
    ['an unknown email', 'mallory@example.test', 'nope', 'invalid_grant', 'Invalid user credentials'],
    ['an empty username, looked up and not found', '', 'x', 'invalid_grant', 'Invalid user credentials'],
    ['the service-account user', 'service-account-authgate', '', 'invalid_grant', 'Invalid user credentials'],
    ['pending required actions and a wrong password', 'carol', 'nope', 'invalid_grant', 'Invalid user credentials'],
  ])(
    'answers %s with 400 (Keycloak 26.6 and later, the default) or 401 (before 26.6)',
    async (_case, username, password, error, description) => {
      const now = await login(idp, username, password);
      const before = await login(before266, username, password);
      expect({ status: now.status, body: now.body }).toEqual({ status: 400, body: oauthError(error, description) });
      expect({ status: before.status, body: before.body }).toEqual({
        status: 401,
        body: oauthError(error, description),
      });
    },
  );

  it.each([
    ['a disabled user, even with a wrong password', 'bob', 'nope', 400, 'invalid_grant', 'Account disabled'],
    ['a disabled user with the right password', 'bob', 'bob-password', 400, 'invalid_grant', 'Account disabled'],
    [
      'pending required actions and the right password',
      'carol',
      'carol-password',
      400,
      'invalid_grant',
      'Account is not fully set up',
    ],
  ])('answers %s with the same status in both modes', async (_case, username, password, status, error, description) => {
    for (const target of [idp, before266]) {
      const res = await login(target, username, password);
      expect({ status: res.status, body: res.body }).toEqual({ status, body: oauthError(error, description) });
    }
  });

  it('answers a missing username with 401 invalid_request in both modes', async () => {
    for (const target of [idp, before266]) {
      const res = await token(target, { grant_type: 'password', ...CLIENT, password: 'x' });
      expect({ status: res.status, body: res.body }).toEqual({
        status: 401,
        body: oauthError('invalid_request', 'Missing parameter: username'),
      });
    }
  });

  it('answers a missing password like a wrong one', async () => {
    const res = await token(idp, { grant_type: 'password', ...CLIENT, username: 'alice' });
    expect({ status: res.status, body: res.body }).toEqual({
      status: 400,
      body: oauthError('invalid_grant', 'Invalid user credentials'),
    });
  });

  it('answers a scope the client does not have, quoting the parameter as sent', async () => {
    const res = await login(idp, 'alice', 'alice-password', { scope: 'openid unknown-scope:123' });
    expect({ status: res.status, body: res.body }).toEqual({
      status: 400,
      body: oauthError('invalid_scope', 'Invalid scopes: openid unknown-scope:123'),
    });
  });

  it.each([
    ['an empty scope parameter', ''],
    ['a doubled space', 'openid  profile'],
    ['a leading space', ' openid'],
  ])('answers %s as a scope the client does not have, as Keycloak splits the parameter', async (_case, scope) => {
    const res = await login(idp, 'alice', 'alice-password', { scope });
    expect({ status: res.status, body: res.body }).toEqual({
      status: 400,
      body: oauthError('invalid_scope', `Invalid scopes: ${scope}`),
    });
  });

  it('refuses an offline token to a user without the offline_access role, as Keycloak does for an imported user without it', async () => {
    const plain = await startTestIdp({
      signingKey: idp.signingKey,
      realm: (realm) => ({
        ...realm,
        users: realm.users.map((u) => ({ ...u, realmRoles: u.realmRoles.filter((r) => r !== 'offline_access') })),
      }),
    });
    try {
      const res = await login(plain, 'alice', 'alice-password', { scope: 'openid offline_access' });
      expect({ status: res.status, body: res.body }).toEqual({
        status: 400,
        body: oauthError('not_allowed', 'Offline tokens not allowed for the user or client'),
      });
      expect((await login(plain, 'alice', 'alice-password', { scope: 'openid' })).status).toBe(200);
    } finally {
      await plain.close();
    }
  });
});

describe('client authentication and request checks', () => {
  it.each([
    ['a wrong secret', { ...CLIENT, client_secret: 'nope' }, 'unauthorized_client'],
    ['a missing secret', { client_id: 'authgate' }, 'unauthorized_client'],
    ['an unknown client', { client_id: 'who', client_secret: 'x' }, 'invalid_client'],
    ['no client at all', {}, 'invalid_client'],
  ])("answers %s with 401 and Keycloak's shared text", async (_case, client, error) => {
    const res = await token(idp, { grant_type: 'password', username: 'alice', password: 'alice-password', ...client });
    expect({ status: res.status, body: res.body }).toEqual({
      status: 401,
      body: oauthError(error, 'Invalid client or Invalid client credentials'),
    });
  });

  it('checks grant_type before the client, as Keycloak does', async () => {
    const missing = await token(idp, { client_id: 'who' });
    const unknown = await token(idp, { grant_type: 'magic', client_id: 'who' });
    expect({ status: missing.status, body: missing.body }).toEqual({
      status: 400,
      body: oauthError('invalid_request', 'Missing form parameter: grant_type'),
    });
    expect({ status: unknown.status, body: unknown.body }).toEqual({
      status: 400,
      body: oauthError('unsupported_grant_type', 'Unsupported grant_type'),
    });
  });

  it('refuses a parameter sent twice', async () => {
    const res = await fetch(`${idp.issuer}/protocol/openid-connect/token`, {
      method: 'POST',
      body: 'grant_type=password&client_id=authgate&client_secret=authgate-dev-secret&username=alice&username=bob&password=alice-password',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect({ status: res.status, body: await res.json() }).toEqual({
      status: 400,
      body: oauthError('invalid_request', 'duplicated parameter'),
    });
  });

  it('answers for clients and realms configured otherwise: direct grants off, disabled, public, realm disabled', async () => {
    const changed = await startTestIdp({
      signingKey: idp.signingKey,
      realm: (realm) => {
        const authgate = realm.clients[0]!;
        realm.clients.push(
          { ...authgate, clientId: 'no-direct', directAccessGrantsEnabled: false },
          { ...authgate, clientId: 'switched-off', enabled: false },
          { ...authgate, clientId: 'spa', publicClient: true, secret: undefined, serviceAccountsEnabled: false },
        );
        return realm;
      },
    });
    const disabledRealm = await startTestIdp({
      signingKey: idp.signingKey,
      realm: (realm) => ({ ...realm, enabled: false }),
    });
    try {
      const as = (target: DevIdp, client: Record<string, string>) =>
        token(target, { grant_type: 'password', username: 'alice', password: 'alice-password', ...client });
      const noDirect = await as(changed, { client_id: 'no-direct', client_secret: 'authgate-dev-secret' });
      expect({ status: noDirect.status, body: noDirect.body }).toEqual({
        status: 400,
        body: oauthError('unauthorized_client', 'Client not allowed for direct access grants'),
      });
      const off = await as(changed, { client_id: 'switched-off', client_secret: 'authgate-dev-secret' });
      expect({ status: off.status, body: off.body }).toEqual({
        status: 401,
        body: oauthError('invalid_client', 'Invalid client or Invalid client credentials'),
      });
      const spa = await as(changed, { client_id: 'spa', client_secret: 'ignored' });
      expect({ status: spa.status, azp: claims(spa.body?.access_token).azp }).toEqual({ status: 200, azp: 'spa' });
      const realmOff = await as(disabledRealm, CLIENT);
      expect({ status: realmOff.status, body: realmOff.body }).toEqual({
        status: 403,
        body: oauthError('access_denied', 'Realm not enabled'),
      });
    } finally {
      await Promise.all([changed.close(), disabledRealm.close()]);
    }
  });
});

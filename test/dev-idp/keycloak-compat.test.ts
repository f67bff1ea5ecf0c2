import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import type { DevIdp } from '../../src/dev-idp/index.js';
import { startDevIdp } from '../../src/dev-idp/index.js';
import { MovableClock } from '../support/clock.js';
import { captureLogs } from '../support/logs.js';
import { demoRealm, startTestIdp } from '../support/idp.js';

// The development IdP spoken to directly, as the gateway (or any Keycloak client) speaks to it.
let idp: DevIdp;
let clock: MovableClock;

beforeAll(async () => {
  clock = new MovableClock();
  idp = await startTestIdp({ now: () => clock.now() });
});
afterAll(async () => {
  await idp.close();
});

const CLIENT = { client_id: 'authgate', client_secret: 'authgate-dev-secret' };

async function token(form: Record<string, string>, headers: Record<string, string> = {}, target: DevIdp = idp) {
  const res = await fetch(`${target.issuer}/protocol/openid-connect/token`, { method: 'POST', body: new URLSearchParams(form), headers });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

const password = (username: string, pw: string, extra: Record<string, string> = {}) => token({ grant_type: 'password', ...CLIENT, username, password: pw, ...extra });

describe('discovery and keys', () => {
  it("answers discovery at Keycloak's path with Keycloak's endpoint layout", async () => {
    const res = await fetch(`${idp.issuer}/.well-known/openid-configuration`);
    const body = (await res.json()) as Record<string, unknown>;
    const base = `${idp.issuer}/protocol/openid-connect`;
    expect(body).toMatchObject({
      issuer: idp.issuer,
      authorization_endpoint: `${base}/auth`,
      token_endpoint: `${base}/token`,
      jwks_uri: `${base}/certs`,
      userinfo_endpoint: `${base}/userinfo`,
      end_session_endpoint: `${base}/logout`,
      revocation_endpoint: `${base}/revoke`,
      introspection_endpoint: `${base}/token/introspect`,
    });
    expect(body.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token', 'password', 'client_credentials']));
  });

  it("issues access tokens that verify against the key set and carry Keycloak's claims", async () => {
    const { body } = await password('admin', 'admin-password', { scope: 'openid' });
    const { payload, protectedHeader } = await jwtVerify(String(body.access_token), createRemoteJWKSet(new URL(`${idp.issuer}/protocol/openid-connect/certs`)), { issuer: idp.issuer });
    expect(protectedHeader).toMatchObject({ alg: 'RS256', typ: 'JWT', kid: expect.any(String) });
    expect(payload).toEqual({
      exp: expect.any(Number),
      iat: expect.any(Number),
      jti: expect.any(String),
      iss: idp.issuer,
      aud: 'account',
      sub: expect.stringMatching(/^[0-9a-f-]{36}$/),
      typ: 'Bearer',
      azp: 'authgate',
      sid: body.session_state,
      acr: '1',
      'allowed-origins': ['http://localhost:3000'],
      realm_access: { roles: ['default-roles-demo', 'offline_access', 'uma_authorization', 'user', 'admin'] },
      resource_access: { account: { roles: ['manage-account', 'manage-account-links', 'view-profile'] } },
      scope: 'openid profile email',
      email_verified: true,
      name: 'Ada Admin',
      preferred_username: 'admin',
      given_name: 'Ada',
      family_name: 'Admin',
      email: 'admin@example.test',
    });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(300);
    expect(decodeJwt(String(body.id_token))).toMatchObject({ typ: 'ID', aud: 'authgate', sub: payload.sub });
    expect(decodeJwt(String(body.refresh_token))).toMatchObject({ typ: 'Refresh', azp: 'authgate', sid: body.session_state });
  });

  it('answers an unknown realm with 404 {"error":"Realm does not exist"}', async () => {
    const res = await fetch(`${idp.url}/realms/nope/.well-known/openid-configuration`);
    expect({ status: res.status, body: await res.json() }).toEqual({ status: 404, body: { error: 'Realm does not exist' } });
  });
});

describe('the password grant', () => {
  it('answers a login with no-store headers and the token response fields', async () => {
    const res = await password('alice', 'alice-password');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('pragma')).toBe('no-cache');
    expect(res.body).toEqual({
      access_token: expect.any(String),
      expires_in: 300,
      refresh_expires_in: 1800,
      refresh_token: expect.any(String),
      token_type: 'Bearer',
      'not-before-policy': 0,
      session_state: expect.any(String),
      scope: 'profile email',
    });
  });

  it('accepts the client credentials in a Basic header too, and a login by email', async () => {
    const basic = Buffer.from('authgate:authgate-dev-secret').toString('base64');
    const res = await token({ grant_type: 'password', username: 'alice@example.test', password: 'alice-password' }, { authorization: `Basic ${basic}` });
    expect(res.status).toBe(200);
  });

  it.each([
    ['a wrong password', 'alice', 'nope', 401, 'invalid_grant', 'Invalid user credentials'],
    ['an unknown user', 'mallory', 'nope', 401, 'invalid_grant', 'Invalid user credentials'],
    ['the service-account user', 'service-account-authgate', '', 401, 'invalid_grant', 'Invalid user credentials'],
    ['a disabled user, even with a wrong password', 'bob', 'nope', 400, 'invalid_grant', 'Account disabled'],
    ['pending required actions', 'carol', 'carol-password', 400, 'invalid_grant', 'Account is not fully set up'],
    ['pending required actions and a wrong password', 'carol', 'nope', 401, 'invalid_grant', 'Invalid user credentials'],
    ['no username', '', 'x', 401, 'invalid_request', 'Missing parameter: username'],
  ])('answers %s like Keycloak', async (_case, username, pw, status, error, description) => {
    const res = await password(username, pw);
    expect({ status: res.status, body: res.body }).toEqual({ status, body: { error, error_description: description } });
  });

  it('answers a wrong password with 400 when configured as Keycloak 26.6', async () => {
    const idp266 = await startTestIdp({ passwordGrantErrorStatus: 400 });
    try {
      const res = await token({ grant_type: 'password', ...CLIENT, username: 'alice', password: 'nope' }, {}, idp266);
      expect({ status: res.status, body: res.body }).toEqual({ status: 400, body: { error: 'invalid_grant', error_description: 'Invalid user credentials' } });
    } finally {
      await idp266.close();
    }
  });

  it.each([
    ['a wrong secret', { ...CLIENT, client_secret: 'nope' }, 401, 'unauthorized_client', 'Invalid client or Invalid client credentials'],
    ['no secret', { client_id: 'authgate' }, 401, 'unauthorized_client', 'Invalid client or Invalid client credentials'],
    ['an unknown client', { client_id: 'who', client_secret: 'x' }, 401, 'invalid_client', 'Invalid client or Invalid client credentials'],
    ['no client at all', {}, 401, 'invalid_client', 'Invalid client or Invalid client credentials'],
  ])('answers %s like Keycloak', async (_case, client, status, error, description) => {
    const res = await token({ grant_type: 'password', username: 'alice', password: 'alice-password', ...client });
    expect({ status: res.status, body: res.body }).toEqual({ status, body: { error, error_description: description } });
  });

  it('answers a missing or unknown grant_type, and an invalid scope, like Keycloak', async () => {
    expect((await token({ ...CLIENT })).body).toEqual({ error: 'invalid_request', error_description: 'Missing form parameter: grant_type' });
    expect((await token({ ...CLIENT, grant_type: 'magic' })).body).toEqual({ error: 'unsupported_grant_type', error_description: 'Unsupported grant_type' });
    expect((await password('alice', 'alice-password', { scope: 'openid unknown-scope:123' })).body).toEqual({ error: 'invalid_scope', error_description: 'Invalid scopes: openid unknown-scope:123' });
  });

  it('checks Keycloak-exported PBKDF2 hashes with their stored iterations and key length', async () => {
    const salt = randomBytes(16);
    const hashed = (algorithm: string, digest: string, length: number) => ({
      type: 'password',
      secretData: JSON.stringify({ value: pbkdf2Sync('s3cret', salt, 27500, length, digest).toString('base64'), salt: salt.toString('base64'), additionalParameters: {} }),
      credentialData: JSON.stringify({ hashIterations: 27500, algorithm, additionalParameters: {} }),
    });
    const hashedIdp = await startTestIdp({
      realm: (realm) => ({
        ...realm,
        users: [
          { username: 'dave', email: 'd@example.test', firstName: 'D', lastName: 'V', credentials: [hashed('pbkdf2-sha256', 'sha256', 32)] },
          { username: 'erin', email: 'e@example.test', firstName: 'E', lastName: 'R', credentials: [hashed('pbkdf2-sha512', 'sha512', 64)] },
        ],
      }),
    });
    try {
      const login = (username: string, pw: string) => token({ grant_type: 'password', ...CLIENT, username, password: pw }, {}, hashedIdp);
      expect((await login('dave', 's3cret')).status).toBe(200);
      expect((await login('erin', 's3cret')).status).toBe(200);
      expect((await login('dave', 'S3cret')).body).toEqual({ error: 'invalid_grant', error_description: 'Invalid user credentials' });
    } finally {
      await hashedIdp.close();
    }
  });

  it('refuses a realm whose hashes it cannot check, naming the user', async () => {
    const realm = await demoRealm();
    const argon = { type: 'password', secretData: '{"value":"x","salt":"y"}', credentialData: '{"hashIterations":5,"algorithm":"argon2"}' };
    await expect(startTestIdp({ realm: () => ({ ...realm, users: [{ username: 'frank', credentials: [argon] }] }) })).rejects.toThrow(
      'user frank: password hash algorithm argon2 is not supported by the development IdP',
    );
  });
});

describe('refresh tokens and sessions', () => {
  it('rotates, then refuses a replay, then refuses the newest token of the detached session', async () => {
    const login = await password('alice', 'alice-password');
    const first = await token({ grant_type: 'refresh_token', ...CLIENT, refresh_token: String(login.body.refresh_token) });
    expect(first.status).toBe(200);
    const replay = await token({ grant_type: 'refresh_token', ...CLIENT, refresh_token: String(login.body.refresh_token) });
    expect(replay.body).toEqual({ error: 'invalid_grant', error_description: 'Maximum allowed refresh token reuse exceeded' });
    const newest = await token({ grant_type: 'refresh_token', ...CLIENT, refresh_token: String(first.body.refresh_token) });
    expect(newest.body).toEqual({ error: 'invalid_grant', error_description: "Session doesn't have required client" });
  });

  it('calls an older token of the chain stale once a newer one was used', async () => {
    const login = await password('alice', 'alice-password');
    const first = await token({ grant_type: 'refresh_token', ...CLIENT, refresh_token: String(login.body.refresh_token) });
    await token({ grant_type: 'refresh_token', ...CLIENT, refresh_token: String(first.body.refresh_token) });
    const old = await token({ grant_type: 'refresh_token', ...CLIENT, refresh_token: String(login.body.refresh_token) });
    expect(old.body).toEqual({ error: 'invalid_grant', error_description: 'Stale token' });
  });

  it('keeps old refresh tokens valid when the realm does not revoke them (Keycloak\'s default)', async () => {
    const lenient = await startTestIdp({ realm: (realm) => ({ ...realm, revokeRefreshToken: false }) });
    try {
      const login = await token({ grant_type: 'password', ...CLIENT, username: 'alice', password: 'alice-password' }, {}, lenient);
      for (let i = 0; i < 3; i += 1) {
        expect((await token({ grant_type: 'refresh_token', ...CLIENT, refresh_token: String(login.body.refresh_token) }, {}, lenient)).status).toBe(200);
      }
    } finally {
      await lenient.close();
    }
  });

  it('keeps a session alive while it is refreshed in time, and lets its refresh token expire when it idles', async () => {
    const login = await password('alice', 'alice-password');
    clock.advance(1_000_000);
    const kept = await token({ grant_type: 'refresh_token', ...CLIENT, refresh_token: String(login.body.refresh_token) });
    expect(kept.status).toBe(200);
    clock.advance(1_801_000);
    const idle = await token({ grant_type: 'refresh_token', ...CLIENT, refresh_token: String(kept.body.refresh_token) });
    expect(idle.body).toEqual({ error: 'invalid_grant', error_description: 'Token is not active' });
    clock.advance(-2_801_000);
  });

  it('answers a missing refresh token and garbage like Keycloak', async () => {
    expect((await token({ grant_type: 'refresh_token', ...CLIENT })).body).toEqual({ error: 'invalid_request', error_description: 'No refresh token' });
    expect((await token({ grant_type: 'refresh_token', ...CLIENT, refresh_token: 'abc' })).body).toEqual({ error: 'invalid_grant', error_description: 'Invalid refresh token' });
  });
});

describe('the back-channel logout', () => {
  const logout = async (form: Record<string, string>) => {
    const res = await fetch(`${idp.issuer}/protocol/openid-connect/logout`, { method: 'POST', body: new URLSearchParams(form) });
    return { status: res.status, text: await res.text() };
  };

  it('answers 204 with no body, ends the session, and answers 204 again for the ended session', async () => {
    const login = await password('alice', 'alice-password');
    expect(await logout({ ...CLIENT, refresh_token: String(login.body.refresh_token) })).toEqual({ status: 204, text: '' });
    const refresh = await token({ grant_type: 'refresh_token', ...CLIENT, refresh_token: String(login.body.refresh_token) });
    expect(refresh.body).toEqual({ error: 'invalid_grant', error_description: 'Session not active' });
    expect(await logout({ ...CLIENT, refresh_token: String(login.body.refresh_token) })).toEqual({ status: 204, text: '' });
  });

  it('answers a missing or bad refresh token, and a wrong secret, like Keycloak', async () => {
    expect(await logout({ ...CLIENT })).toEqual({ status: 400, text: '{"error":"invalid_request","error_description":"No refresh token"}' });
    expect(await logout({ ...CLIENT, refresh_token: 'abc' })).toEqual({ status: 400, text: '{"error":"invalid_grant","error_description":"Invalid refresh token"}' });
    expect((await logout({ client_id: 'authgate', client_secret: 'x', refresh_token: 'abc' })).status).toBe(401);
  });
});

describe('client credentials', () => {
  it('gives the service account an access token without a refresh token', async () => {
    const res = await token({ grant_type: 'client_credentials', ...CLIENT });
    expect(res.status).toBe(200);
    expect(res.body.refresh_token).toBeUndefined();
    expect(decodeJwt(String(res.body.access_token))).toMatchObject({ preferred_username: 'service-account-authgate', azp: 'authgate' });
  });
});

describe('starting and stopping', () => {
  it('refuses to start in production, and nothing listens', async () => {
    const logs = captureLogs();
    await expect(startDevIdp({ realm: await demoRealm(), logger: logs.logger, nodeEnv: 'production' })).rejects.toThrow(
      'the development IdP refuses to start when NODE_ENV=production: set KEYCLOAK_URL to a real Keycloak',
    );
    expect(logs.lines()).toEqual([]);
  });

  it('says loudly that it is a development IdP', async () => {
    const logs = captureLogs();
    const started = await startDevIdp({ realm: await demoRealm(), logger: logs.logger });
    await started.close();
    expect(logs.events('dev_idp.started')).toEqual([
      expect.objectContaining({ level: 'warn', message: 'DEVELOPMENT IdP started: not for production', users: ['alice', 'bob', 'carol', 'admin'] }),
    ]);
  });

  it('restarts on the same port with the same keys, so tokens issued before still verify', async () => {
    const first = await startTestIdp();
    const login = await token({ grant_type: 'password', ...CLIENT, username: 'alice', password: 'alice-password' }, {}, first);
    const { port, signingKey } = first;
    await first.close();
    const second = await startTestIdp({ port, signingKey });
    try {
      expect(second.issuer).toBe(first.issuer);
      await expect(jwtVerify(String(login.body.access_token), createRemoteJWKSet(new URL(`${second.issuer}/protocol/openid-connect/certs`)))).resolves.toBeDefined();
    } finally {
      await second.close();
    }
  });
});

describe('userinfo', () => {
  const userinfo = (authorization?: string) => fetch(`${idp.issuer}/protocol/openid-connect/userinfo`, { headers: authorization ? { authorization } : {} });

  it("answers the profile of a live access token's user", async () => {
    const login = await password('alice', 'alice-password', { scope: 'openid' });
    const res = await userinfo(`Bearer ${String(login.body.access_token)}`);
    expect(await res.json()).toEqual({
      sub: expect.any(String),
      email_verified: true,
      name: 'Alice Liddell',
      preferred_username: 'alice',
      given_name: 'Alice',
      family_name: 'Liddell',
      email: 'alice@example.test',
    });
  });

  it("refuses a bad token or an ended session in Keycloak's header-only style", async () => {
    const bad = await userinfo('Bearer nope');
    expect({ status: bad.status, challenge: bad.headers.get('www-authenticate'), body: await bad.text() }).toEqual({
      status: 401,
      challenge: 'Bearer realm="demo", error="invalid_token", error_description="Token verification failed"',
      body: '',
    });
    const login = await password('alice', 'alice-password');
    await fetch(`${idp.issuer}/protocol/openid-connect/logout`, { method: 'POST', body: new URLSearchParams({ ...CLIENT, refresh_token: String(login.body.refresh_token) }) });
    expect((await userinfo(`Bearer ${String(login.body.access_token)}`)).status).toBe(401);
    expect((await userinfo()).headers.get('www-authenticate')).toBe('Bearer realm="demo"');
  });
});

describe('realm lifespans', () => {
  it('follows accessTokenLifespan, and caps refresh tokens and sessions at ssoSessionMaxLifespan', async () => {
    const capped = new MovableClock();
    const short = await startTestIdp({ now: () => capped.now(), realm: (realm) => ({ ...realm, accessTokenLifespan: 60, ssoSessionIdleTimeout: 1800, ssoSessionMaxLifespan: 600 }) });
    try {
      const login = await token({ grant_type: 'password', ...CLIENT, username: 'alice', password: 'alice-password' }, {}, short);
      expect({ expires_in: login.body.expires_in, refresh_expires_in: login.body.refresh_expires_in }).toEqual({ expires_in: 60, refresh_expires_in: 600 });
      capped.advance(500_000);
      const later = await token({ grant_type: 'refresh_token', ...CLIENT, refresh_token: String(login.body.refresh_token) }, {}, short);
      expect(later.body.refresh_expires_in).toBe(100);
      capped.advance(101_000);
      const over = await token({ grant_type: 'refresh_token', ...CLIENT, refresh_token: String(later.body.refresh_token) }, {}, short);
      expect(over.body).toEqual({ error: 'invalid_grant', error_description: 'Token is not active' });
    } finally {
      await short.close();
    }
  });
});

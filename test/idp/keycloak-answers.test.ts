import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { buildTestGateway, type TestGateway } from '../support/gateway.js';
import {
  keycloakError,
  startScriptedProvider,
  type ScriptedAnswer,
  type ScriptedProvider,
} from '../support/scripted-provider.js';

// Keycloak answers the embedded IdP cannot produce (other versions, other realm states, broken proxies in front),
// replayed over real HTTP so that openid-client parses them exactly as it would parse Keycloak's. Rows marked "seen"
// are answers a real Keycloak gave (26.5.6 and 26.7.3, test/keycloak/provider-errors*.test.ts); the others are read
// from Keycloak's sources or are what a proxy in front may answer.
let provider: ScriptedProvider;
let gateway: TestGateway;

beforeAll(async () => {
  provider = await startScriptedProvider();
  gateway = buildTestGateway({ idpUrl: provider.url });
});

afterAll(async () => {
  await provider.close();
});

const html = (status: number): ScriptedAnswer => ({
  status,
  body: '<html><body>Bad Gateway</body></html>',
  contentType: 'text/html',
});

const expected = {
  invalid_credentials: { status: 401, body: { error: 'invalid_credentials', message: 'Invalid username or password' } },
  account_disabled: { status: 403, body: { error: 'account_disabled', message: 'The account is disabled' } },
  account_not_ready: {
    status: 403,
    body: {
      error: 'account_not_ready',
      message: 'The account is not fully set up; finish the required actions at the identity provider',
    },
  },
  invalid_scope: { status: 400, body: { error: 'invalid_scope', message: 'The requested scope is not allowed' } },
  invalid_grant: { status: 400, body: { error: 'invalid_grant', message: 'Invalid refresh token' } },
  unauthorized_client: {
    status: 502,
    body: {
      error: 'unauthorized_client',
      message: 'The identity provider rejected the gateway client; this is a deployment fault',
    },
  },
  idp_error: { status: 502, body: { error: 'idp_error', message: 'The identity provider answered with an error' } },
} as const;

type Expected = keyof typeof expected;

const loginRows: [string, ScriptedAnswer, Expected][] = [
  [
    'a wrong password or an unknown user, from 26.6 (seen: 26.7.3)',
    keycloakError(400, 'invalid_grant', 'Invalid user credentials'),
    'invalid_credentials',
  ],
  [
    'a wrong password or an unknown user, before 26.6 (seen: 26.5.6)',
    keycloakError(401, 'invalid_grant', 'Invalid user credentials'),
    'invalid_credentials',
  ],
  [
    'the right password of a user locked by brute-force detection, 26.7.3 (seen)',
    keycloakError(400, 'invalid_grant', 'Invalid user credentials'),
    'invalid_credentials',
  ],
  [
    'the right password of a user locked by brute-force detection, 26.5.6 (seen)',
    keycloakError(401, 'invalid_grant', 'Invalid user credentials'),
    'invalid_credentials',
  ],
  [
    'an invalid_grant with a text Keycloak never used',
    keycloakError(400, 'invalid_grant', 'Something new'),
    'invalid_credentials',
  ],
  // Before 26.6 for any password, from 26.6 for the right one only (seen: 26.5.6, 26.7.3).
  ['a disabled user (seen)', keycloakError(400, 'invalid_grant', 'Account disabled'), 'account_disabled'],
  [
    'pending required actions: UPDATE_PASSWORD, VERIFY_EMAIL, an incomplete profile (seen)',
    keycloakError(400, 'invalid_grant', 'Account is not fully set up'),
    'account_not_ready',
  ],
  [
    'a wrong client secret (seen)',
    keycloakError(401, 'unauthorized_client', 'Invalid client or Invalid client credentials'),
    'unauthorized_client',
  ],
  [
    'an unknown or disabled client (seen)',
    keycloakError(401, 'invalid_client', 'Invalid client or Invalid client credentials'),
    'unauthorized_client',
  ],
  [
    'direct access grants switched off (seen)',
    keycloakError(400, 'unauthorized_client', 'Client not allowed for direct access grants'),
    'unauthorized_client',
  ],
  [
    'a consent-required client',
    keycloakError(400, 'invalid_client', 'Client requires user consent'),
    'unauthorized_client',
  ],
  // Keycloak names the scopes as requested; the gateway adds openid at the end.
  [
    'a scope not assigned to the client (seen)',
    keycloakError(400, 'invalid_scope', 'Invalid scopes: unknown-scope openid'),
    'invalid_scope',
  ],
  [
    'offline_access for a user without the offline_access role (seen)',
    keycloakError(400, 'not_allowed', 'Offline tokens not allowed for the user or client'),
    'invalid_scope',
  ],
  [
    'a realm that does not exist (404, seen)',
    { status: 404, body: '{"error":"Realm does not exist"}', contentType: 'application/json' },
    'idp_error',
  ],
  ['a disabled realm (403, seen)', keycloakError(403, 'access_denied', 'Realm not enabled'), 'idp_error'],
  ['HTTPS required (403)', keycloakError(403, 'invalid_request', 'HTTPS required'), 'idp_error'],
  ['an error code nobody knows', keycloakError(400, 'temporarily_weird', 'what'), 'idp_error'],
  ['a 500 with a JSON error', keycloakError(500, 'unknown_error'), 'idp_error'],
  ['a 502 HTML page from a proxy', html(502), 'idp_error'],
  ['a 200 HTML page from a captive proxy', html(200), 'idp_error'],
  ['a 503 with an empty body', { status: 503 }, 'idp_error'],
  ['a 200 with an empty body', { status: 200 }, 'idp_error'],
  [
    'a 200 JSON body that is not a token response',
    { status: 200, body: '{"hello":"world"}', contentType: 'application/json' },
    'idp_error',
  ],
];

const refreshRows: [string, ScriptedAnswer, Expected][] = [
  [
    'a refresh token past its SSO idle, SSO max or client idle timeout (seen)',
    keycloakError(400, 'invalid_grant', 'Token is not active'),
    'invalid_grant',
  ],
  [
    'a session an administrator ended, or idled out under a timeout shortened after login (seen)',
    keycloakError(400, 'invalid_grant', 'Session not active'),
    'invalid_grant',
  ],
  [
    'an older token of a rotated chain, or one issued before a realm or client not-before (seen)',
    keycloakError(400, 'invalid_grant', 'Stale token'),
    'invalid_grant',
  ],
  [
    'the newest token of a chain after a reuse detached its client session (seen)',
    keycloakError(400, 'invalid_grant', "Session doesn't have required client"),
    'invalid_grant',
  ],
  // Not seen: a client idle timeout also cuts the refresh token's own expiry, which Keycloak checks first.
  ['the client session idled out', keycloakError(400, 'invalid_grant', 'Client session not active'), 'invalid_grant'],
  [
    'an offline session that is gone',
    keycloakError(400, 'invalid_grant', 'Offline user session not found'),
    'invalid_grant',
  ],
  [
    'an offline session past its lifespan',
    keycloakError(400, 'invalid_grant', 'Offline session not active'),
    'invalid_grant',
  ],
  [
    'offline access withdrawn',
    keycloakError(400, 'invalid_grant', 'Offline session invalid because offline access not granted anymore'),
    'invalid_grant',
  ],
  ['a user disabled since login (seen)', keycloakError(400, 'invalid_grant', 'User disabled'), 'invalid_grant'],
  [
    'a token older than the session',
    keycloakError(400, 'invalid_grant', 'Refresh token issued before the user session started'),
    'invalid_grant',
  ],
  [
    'a token of another issuer URL',
    keycloakError(
      400,
      'invalid_grant',
      "Invalid token issuer. Expected 'http://keycloak:8080/realms/demo', but was 'http://localhost:8080/realms/demo'",
    ),
    'invalid_grant',
  ],
  [
    'consent withdrawn',
    keycloakError(400, 'invalid_scope', 'Client no longer has requested consent from user'),
    'invalid_scope',
  ],
  [
    'a client secret rotated at Keycloak (seen)',
    keycloakError(401, 'unauthorized_client', 'Invalid client or Invalid client credentials'),
    'unauthorized_client',
  ],
  [
    'a disabled client',
    keycloakError(401, 'invalid_client', 'Invalid client or Invalid client credentials'),
    'unauthorized_client',
  ],
  ['a disabled realm (403, seen)', keycloakError(403, 'access_denied', 'Realm not enabled'), 'idp_error'],
  ['a 500 HTML page', html(500), 'idp_error'],
];

const logoutRows: [string, ScriptedAnswer, Expected][] = [
  ['an invalid refresh token', keycloakError(400, 'invalid_grant', 'Invalid refresh token'), 'invalid_grant'],
  [
    'a refresh token of another client',
    keycloakError(400, 'invalid_grant', "Invalid refresh token. Token client and authorized client don't match"),
    'invalid_grant',
  ],
  [
    'a wrong client secret',
    keycloakError(401, 'unauthorized_client', 'Invalid client or Invalid client credentials'),
    'unauthorized_client',
  ],
  ['an HTML error page', html(502), 'idp_error'],
];

describe('Keycloak answers to the password grant', () => {
  it.each(loginRows)('when Keycloak reports %s, login answers in the contract', async (_case, answer, code) => {
    provider.answer('token', answer);
    const res = await request(gateway.app).post('/api/auth/login').send({ username: 'alice', password: 'pw' });
    expect({ status: res.status, body: res.body }).toEqual(expected[code]);
  });
});

describe('Keycloak answers to the refresh grant', () => {
  it.each(refreshRows)('when Keycloak reports %s, refresh answers in the contract', async (_case, answer, code) => {
    provider.answer('token', answer);
    const res = await request(gateway.app)
      .post('/api/auth/refresh-token')
      .send({ refresh_token: 'eyJhbGciOiJIUzUxMiJ9.e30.c2ln' });
    expect({ status: res.status, body: res.body }).toEqual(expected[code]);
  });

  it.each(['Maximum allowed refresh token reuse exceeded', 'Stale token'])(
    'a reused refresh token ("%s") also raises a security event in the log',
    async (text) => {
      provider.answer('token', keycloakError(400, 'invalid_grant', text));
      const res = await request(gateway.app).post('/api/auth/refresh-token').send({ refresh_token: 'spent-token' });
      expect({ status: res.status, body: res.body }).toEqual(expected.invalid_grant);
      const requestId = res.headers['x-request-id'];
      expect(
        gateway.logs.events('auth.refresh.reuse_detected').filter((line) => line.requestId === requestId),
      ).toHaveLength(1);
    },
  );
});

describe('Keycloak answers to the back-channel logout', () => {
  it.each(logoutRows)('when Keycloak reports %s, logout answers in the contract', async (_case, answer, code) => {
    provider.answer('logout', answer);
    const res = await request(gateway.app).post('/api/auth/logout').send({ refresh_token: 'some-refresh-token' });
    expect({ status: res.status, body: res.body }).toEqual(expected[code]);
  });

  it('a 204 from Keycloak is a successful logout, also what it answers for a session already gone (seen: one an administrator ended)', async () => {
    provider.answer('logout', { status: 204 });
    const res = await request(gateway.app).post('/api/auth/logout').send({ refresh_token: 'some-refresh-token' });
    expect({ status: res.status, body: res.body }).toEqual({ status: 200, body: { message: 'Logged out' } });
    const seen = provider.requests.filter((r) => r.path.endsWith('/logout')).at(-1);
    expect(new URLSearchParams(seen?.body)).toEqual(
      new URLSearchParams({
        client_id: 'authgate',
        client_secret: 'authgate-dev-secret',
        refresh_token: 'some-refresh-token',
      }),
    );
  });
});

describe('Keycloak answers to discovery', () => {
  it('a realm that does not exist (404, seen) is 502 idp_error for readyz and login', async () => {
    const missing = await startScriptedProvider();
    try {
      missing.answer('discovery', {
        status: 404,
        body: '{"error":"Realm does not exist"}',
        contentType: 'application/json',
      });
      const { app } = buildTestGateway({ idpUrl: missing.url });
      const ready = await request(app).get('/readyz');
      const login = await request(app).post('/api/auth/login').send({ username: 'alice', password: 'pw' });
      expect([
        { status: ready.status, body: ready.body },
        { status: login.status, body: login.body },
      ]).toEqual([
        {
          status: 502,
          body: {
            error: 'idp_error',
            message: 'Not ready: the identity provider (discovery and key set) does not answer',
          },
        },
        expected.idp_error,
      ]);
    } finally {
      await missing.close();
    }
  });
});

describe('the provider body never reaches the client', () => {
  it('an HTML error page is answered as idp_error without any of its text', async () => {
    provider.answer('token', {
      status: 502,
      body: '<html>secret-internal-hostname.corp</html>',
      contentType: 'text/html',
    });
    const res = await request(gateway.app).post('/api/auth/login').send({ username: 'alice', password: 'pw' });
    expect(res.status).toBe(502);
    expect(res.text).not.toContain('secret-internal-hostname');
  });
});

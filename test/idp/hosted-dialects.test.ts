import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { ERROR_CODES, type ErrorCode } from '../../src/contract/errors.js';
import { buildTestGateway, type TestGateway } from '../support/gateway.js';
import {
  startScriptedProvider,
  type HostedLayout,
  type ScriptedAnswer,
  type ScriptedProvider,
} from '../support/scripted-provider.js';

/*
 * The hosted providers' documented token-endpoint answers, replayed over real HTTP by a stand-in laid out as each
 * provider lays out its endpoints, to a gateway configured with that provider's dialect. docs/providers.md cites where
 * each answer is documented. The stand-in is on loopback, so the dialect is set as for a custom domain (IDP_DIALECT).
 */

type Operation = 'login' | 'refresh';
type Row = [situation: string, operation: Operation, answer: ScriptedAnswer, code: ErrorCode];

const answer = (status: number, body: Record<string, unknown>): ScriptedAnswer => ({
  status,
  body: JSON.stringify(body),
  contentType: 'application/json; charset=utf-8',
});
// Entra ID: the AADSTS number leads the description, which goes on with trace ids; `error_codes` repeats the number.
const entra = (status: number, error: string, code: number, text: string, extra: Record<string, unknown> = {}) =>
  answer(status, {
    error,
    error_description: `AADSTS${code}: ${text}\r\nTrace ID: 0d3c6f4e-1c6b-4c5e-9d1e-2f6a7b8c9d00\r\nCorrelation ID: 6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d\r\nTimestamp: 2026-12-01 10:00:00Z`,
    error_codes: [code],
    timestamp: '2026-12-01 10:00:00Z',
    trace_id: '0d3c6f4e-1c6b-4c5e-9d1e-2f6a7b8c9d00',
    correlation_id: '6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    ...extra,
  });

const TENANT = '0b6a7b2c-1111-4f3e-9c1a-3b2a1c0d9e8f';

const DIALECTS: Record<'auth0' | 'entra' | 'okta', { layout: HostedLayout; rows: Row[]; logoutCall: boolean }> = {
  auth0: {
    layout: {
      issuerPath: '/',
      endpoints: {
        token: '/oauth/token',
        revocation: '/oauth/revoke',
        jwks: '/.well-known/jwks.json',
        userinfo: '/userinfo',
      },
    },
    logoutCall: true,
    rows: [
      [
        'a wrong password or an unknown user',
        'login',
        answer(403, { error: 'invalid_grant', error_description: 'Wrong email or password.' }),
        'invalid_credentials',
      ],
      [
        'a user who must give a second factor',
        'login',
        answer(403, {
          error: 'mfa_required',
          error_description: 'Multifactor authentication required',
          mfa_token: 'Fe26.2**0d3c6f4e',
        }),
        'mfa_required',
      ],
      [
        'brute-force protection',
        'login',
        answer(429, {
          error: 'too_many_attempts',
          error_description:
            "Your account has been blocked after multiple consecutive login attempts. We've sent you an email with instructions on how to unblock it.",
        }),
        'rate_limited',
      ],
      [
        'a blocked user',
        'login',
        answer(401, { error: 'unauthorized', error_description: 'user is blocked' }),
        'account_disabled',
      ],
      [
        'a blocked user, as the token endpoint words it',
        'login',
        answer(403, { error: 'invalid_grant', error_description: 'user is blocked' }),
        'account_disabled',
      ],
      [
        'an application without the Password grant',
        'login',
        answer(403, {
          error: 'unauthorized_client',
          error_description: "Grant type 'password' not allowed for the client.",
        }),
        'password_login_unavailable',
      ],
      [
        'a tenant without a Default Directory',
        'login',
        answer(500, {
          error: 'server_error',
          error_description: 'Authorization server not configured with default connection.',
        }),
        'password_login_unavailable',
      ],
      [
        'a wrong client secret',
        'login',
        answer(401, { error: 'invalid_client', error_description: 'Client authentication failed' }),
        'unauthorized_client',
      ],
      [
        'an expired, revoked or reused refresh token',
        'refresh',
        answer(403, { error: 'invalid_grant', error_description: 'Unknown or invalid refresh token.' }),
        'invalid_grant',
      ],
    ],
  },
  entra: {
    layout: {
      issuerPath: `/${TENANT}/v2.0`,
      endpoints: {
        token: `/${TENANT}/oauth2/v2.0/token`,
        revocation: '/no-revocation-endpoint',
        jwks: `/${TENANT}/discovery/v2.0/keys`,
        userinfo: '/oidc/userinfo',
      },
    },
    logoutCall: false,
    rows: [
      [
        'a wrong password',
        'login',
        entra(400, 'invalid_grant', 50126, 'Error validating credentials due to invalid username or password.'),
        'invalid_credentials',
      ],
      [
        'an unknown user',
        'login',
        entra(
          400,
          'invalid_grant',
          50034,
          'The user account {EmailHidden} does not exist in the contoso.onmicrosoft.com directory.',
        ),
        'invalid_credentials',
      ],
      [
        'a disabled user',
        'login',
        entra(400, 'invalid_grant', 50057, 'The user account is disabled.'),
        'account_disabled',
      ],
      [
        'a user who must give a second factor',
        'login',
        entra(
          400,
          'interaction_required',
          50076,
          'Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access.',
        ),
        'mfa_required',
      ],
      [
        'a user who must enrol a second factor',
        'login',
        entra(400, 'invalid_grant', 50079, 'The user is required to use multi-factor authentication.', {
          suberror: 'basic_action',
        }),
        'mfa_required',
      ],
      [
        'Smart Lockout, worded as unauthorized_client',
        'login',
        entra(
          400,
          'unauthorized_client',
          50053,
          "You've tried to sign in too many times with an incorrect user ID or password.",
        ),
        'rate_limited',
      ],
      [
        'an expired password',
        'login',
        entra(400, 'user_password_expired', 50055, 'Password is expired.', { suberror: 'user_password_expired' }),
        'account_not_ready',
      ],
      [
        'a wrong client secret',
        'login',
        entra(
          401,
          'invalid_client',
          7000215,
          'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.',
        ),
        'unauthorized_client',
      ],
      [
        'a refresh token expired by inactivity',
        'refresh',
        entra(400, 'invalid_grant', 700082, 'The refresh token has expired due to inactivity.'),
        'invalid_grant',
      ],
      [
        'a revoked refresh token',
        'refresh',
        entra(
          400,
          'invalid_grant',
          50173,
          'The provided grant has expired due to it being revoked, and a fresh auth token is needed.',
        ),
        'invalid_grant',
      ],
    ],
  },
  okta: {
    layout: {
      issuerPath: '/oauth2/default',
      endpoints: {
        token: '/oauth2/default/v1/token',
        revocation: '/oauth2/default/v1/revoke',
        jwks: '/oauth2/default/v1/keys',
        userinfo: '/oauth2/default/v1/userinfo',
      },
    },
    logoutCall: true,
    rows: [
      [
        'a wrong password or an unknown user',
        'login',
        answer(400, { error: 'invalid_grant', error_description: 'The credentials provided were invalid.' }),
        'invalid_credentials',
      ],
      [
        'a user whose sign-on policy needs a second factor',
        'login',
        answer(400, {
          error: 'invalid_grant',
          error_description: 'Resource owner password credentials cannot be used with MFA enabled.',
        }),
        'mfa_required',
      ],
      [
        'too many attempts for the user',
        'login',
        answer(429, {
          error: 'invalid_grant',
          error_description: 'API call exceeded rate limit due to too many requests.',
        }),
        'rate_limited',
      ],
      [
        'an expired password',
        'login',
        answer(400, { error: 'invalid_grant', error_description: 'Password has expired.' }),
        'account_not_ready',
      ],
      [
        'an application without the Resource Owner Password grant',
        'login',
        answer(400, {
          error: 'unauthorized_client',
          error_description:
            'The client is not authorized to use the provided grant type. Configured grant types: [authorization_code, refresh_token].',
        }),
        'password_login_unavailable',
      ],
      [
        'a wrong client secret',
        'login',
        answer(401, {
          error: 'invalid_client',
          error_description: 'The client secret supplied for a confidential client is invalid.',
        }),
        'unauthorized_client',
      ],
      [
        'an expired, revoked or reused refresh token',
        'refresh',
        answer(400, { error: 'invalid_grant', error_description: 'The refresh token is invalid or expired.' }),
        'invalid_grant',
      ],
    ],
  },
};

const contractBody = (code: ErrorCode) => ({ error: code, message: ERROR_CODES[code].message });

for (const [dialect, { layout, rows, logoutCall }] of Object.entries(DIALECTS)) {
  describe(`the ${dialect} dialect`, () => {
    let provider: ScriptedProvider;
    let gateway: TestGateway;

    beforeAll(async () => {
      provider = await startScriptedProvider(layout);
      gateway = buildTestGateway({
        idpUrl: provider.url,
        env: { IDP_ISSUER: provider.issuer, IDP_DIALECT: dialect, IDP_CLIENT_SECRET: 'the-client-secret' },
      });
    });

    afterAll(async () => {
      await provider.close();
    });

    it.each(rows)('answers %s (%s) as the contract says', async (_situation, operation, scripted, code) => {
      provider.answer('token', scripted);
      const res =
        operation === 'login'
          ? await request(gateway.app).post('/api/auth/login').send({ username: 'alice', password: 'a-password' })
          : await request(gateway.app).post('/api/auth/refresh-token').send({ refresh_token: 'a-refresh-token' });
      expect({ status: res.status, body: res.body }).toEqual({
        status: ERROR_CODES[code].status,
        body: contractBody(code),
      });
      expect(JSON.stringify(res.body)).not.toContain('AADSTS');
    });

    it(
      logoutCall
        ? 'logs out by revoking the refresh token (RFC 7009)'
        : 'logs out without a call, as the provider revokes no refresh token',
      async () => {
        provider.requests.length = 0;
        provider.answer('logout', { status: 200 });
        const res = await request(gateway.app).post('/api/auth/logout').send({ refresh_token: 'a-refresh-token' });
        expect({ status: res.status, body: res.body }).toEqual({
          status: 200,
          body: { message: 'Logged out' },
        });
        const calls = provider.requests.filter((r) => r.path === layout.endpoints.revocation);
        if (!logoutCall) {
          expect(calls).toEqual([]);
          return;
        }
        expect(calls).toHaveLength(1);
        expect(Object.fromEntries(new URLSearchParams(calls[0]?.body))).toEqual({
          client_id: 'authgate',
          client_secret: 'the-client-secret',
          token: 'a-refresh-token',
          token_type_hint: 'refresh_token',
        });
      },
    );
  });
}

describe('an Entra ID answer that names the account', () => {
  let provider: ScriptedProvider;
  let gateway: TestGateway;

  beforeAll(async () => {
    provider = await startScriptedProvider(DIALECTS.entra.layout);
    gateway = buildTestGateway({
      idpUrl: provider.url,
      env: { IDP_ISSUER: provider.issuer, IDP_DIALECT: 'entra', IDP_CLIENT_SECRET: 'the-client-secret' },
    });
  });

  afterAll(async () => {
    await provider.close();
  });

  it('is logged by its AADSTS number only, never with what the user typed', async () => {
    provider.answer(
      'token',
      entra(
        400,
        'invalid_grant',
        50034,
        'The user account carol.typed@example.com does not exist in the contoso directory.',
      ),
    );
    const res = await request(gateway.app)
      .post('/api/auth/login')
      .send({ username: 'carol.typed@example.com', password: 'a-password' });
    expect({ status: res.status, body: res.body }).toEqual({ status: 401, body: contractBody('invalid_credentials') });
    const logged = gateway.logs.lines().find((line) => line.event === 'auth.login.failed');
    expect(logged?.provider).toEqual({
      operation: 'login',
      status: 400,
      error: 'invalid_grant',
      errorDescription: 'AADSTS50034',
      name: 'ResponseBodyError',
      libraryCode: 'OAUTH_RESPONSE_BODY_ERROR',
    });
    expect(gateway.logs.text()).not.toContain('carol.typed');
  });
});

describe('a provider answer read without its dialect', () => {
  let provider: ScriptedProvider;
  let gateway: TestGateway;

  beforeAll(async () => {
    provider = await startScriptedProvider(DIALECTS.auth0.layout);
    gateway = buildTestGateway({
      idpUrl: provider.url,
      env: { IDP_ISSUER: provider.issuer, IDP_DIALECT: 'generic', IDP_CLIENT_SECRET: 'the-client-secret' },
    });
  });

  afterAll(async () => {
    await provider.close();
  });

  it("is the standard OAuth mapping: Auth0's mfa_required is then only the provider's error", async () => {
    provider.answer(
      'token',
      answer(403, { error: 'mfa_required', error_description: 'Multifactor authentication required' }),
    );
    const res = await request(gateway.app).post('/api/auth/login').send({ username: 'alice', password: 'a-password' });
    expect({ status: res.status, body: res.body }).toEqual({ status: 502, body: contractBody('idp_error') });
  });
});

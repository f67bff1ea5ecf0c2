import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { exchange, introspect, login, signIn, startGenericIdp, token, type GenericIdp } from './helpers.js';

describe('discovery', () => {
  let idp: GenericIdp;
  beforeAll(async () => {
    idp = await startGenericIdp({ accessTokenFormat: 'opaque', path: '/oidc' });
  });
  afterAll(() => idp.close());

  it("names oidc-provider's own endpoints below the issuer, nothing of Keycloak's", async () => {
    const res = await fetch(`${idp.issuer}/.well-known/openid-configuration`);
    const doc = (await res.json()) as Record<string, unknown>;
    expect(idp.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/oidc$/);
    expect(doc).toMatchObject({
      issuer: idp.issuer,
      authorization_endpoint: `${idp.issuer}/auth`,
      token_endpoint: `${idp.issuer}/token`,
      userinfo_endpoint: `${idp.issuer}/me`,
      jwks_uri: `${idp.issuer}/jwks`,
      introspection_endpoint: `${idp.issuer}/token/introspection`,
      revocation_endpoint: `${idp.issuer}/token/revocation`,
      end_session_endpoint: `${idp.issuer}/session/end`,
      grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials', 'password'],
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    });
    expect(JSON.stringify(doc)).not.toMatch(/realms|protocol\/openid-connect/);
  });

  it('publishes the one RS256 signing key, and serves both flows below the path', async () => {
    const jwks = (await (await fetch(`${idp.issuer}/jwks`)).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toEqual([
      { kty: 'RSA', kid: expect.any(String), alg: 'RS256', use: 'sig', e: 'AQAB', n: expect.any(String) },
    ]);
    expect((await login(idp)).status).toBe(200);
    expect((await exchange(idp, await signIn(idp))).status).toBe(200);
    expect((await fetch(`${idp.url}/token`, { method: 'POST' })).status).toBe(404);
  });
});

describe.each(['opaque', 'jwt'] as const)('client credentials with %s access tokens', (format) => {
  let idp: GenericIdp;
  beforeAll(async () => {
    idp = await startGenericIdp({ accessTokenFormat: format });
  });
  afterAll(() => idp.close());

  it('issues an access token for the client itself, without refresh or ID token', async () => {
    const res = await token(idp, { grant_type: 'client_credentials' });
    expect({ status: res.status, body: res.body }).toEqual({
      status: 200,
      body: { access_token: expect.any(String), expires_in: 300, token_type: 'Bearer' },
    });
    const value = String(res.body!.access_token);
    if (format === 'opaque') {
      expect((await introspect(idp, value)).body).toEqual({
        active: true,
        client_id: 'authgate',
        iss: idp.issuer,
        iat: expect.any(Number),
        exp: expect.any(Number),
        token_type: 'Bearer',
      });
    } else {
      const { payload } = await jwtVerify(value, createRemoteJWKSet(new URL(`${idp.issuer}/jwks`)), {
        issuer: idp.issuer,
        audience: idp.resource,
      });
      expect(payload).toMatchObject({ sub: 'authgate', client_id: 'authgate' });
      expect(payload).not.toHaveProperty('roles');
    }
  });

  it('refuses a grant the client is not allowed with invalid_request, naming it so', async () => {
    const res = await token(idp, {
      grant_type: 'password',
      client_id: 'reporting-bot',
      client_secret: 'reporting-bot-dev-secret',
      username: 'alice',
      password: 'alice-password',
    });
    expect({ status: res.status, body: res.body }).toEqual({
      status: 400,
      body: { error: 'invalid_request', error_description: 'requested grant type is not allowed for this client' },
    });
  });
});

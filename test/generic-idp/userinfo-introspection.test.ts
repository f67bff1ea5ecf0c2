import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { introspect, login, post, refresh, startGenericIdp, userinfo, type GenericIdp } from './helpers.js';

const INVALID_TOKEN = { error: 'invalid_token', error_description: 'invalid token provided' };

describe('userinfo and introspection with opaque access tokens', () => {
  let idp: GenericIdp;
  beforeAll(async () => {
    idp = await startGenericIdp({ accessTokenFormat: 'opaque' });
  });
  afterAll(() => idp.close());

  it("answers the user's claims of the granted scopes, roles at the top level", async () => {
    const tokens = (await login(idp, 'alice', { scope: 'openid profile' })).body!;
    const res = await userinfo(idp, String(tokens.access_token));
    expect({ status: res.status, body: res.body }).toEqual({
      status: 200,
      body: {
        sub: expect.any(String),
        roles: ['user', 'offline_access'],
        preferred_username: 'alice',
        name: 'Alice Liddell',
        given_name: 'Alice',
        family_name: 'Liddell',
      },
    });
  });

  it('refuses an unknown access token with 401 invalid_token, in the body and in WWW-Authenticate', async () => {
    const res = await userinfo(idp, 'never-issued');
    expect({ status: res.status, body: res.body }).toEqual({ status: 401, body: INVALID_TOKEN });
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer realm="${idp.issuer}", error="invalid_token", error_description="invalid token provided"`,
    );
  });

  it('introspects an access token with its user, roles, client and scope; a refresh token without the profile', async () => {
    const tokens = (await login(idp, 'alice', { scope: 'openid email' })).body!;
    const access = await introspect(idp, String(tokens.access_token));
    expect(access.body).toEqual({
      active: true,
      sub: expect.any(String),
      roles: ['user', 'offline_access'],
      email: 'alice@example.test',
      email_verified: true,
      client_id: 'authgate',
      scope: 'openid email',
      token_type: 'Bearer',
      iss: idp.issuer,
      iat: expect.any(Number),
      exp: (access.body!.iat as number) + 300,
    });
    const refreshToken = await introspect(idp, String(tokens.refresh_token));
    expect(refreshToken.body).toEqual({
      active: true,
      sub: access.body!.sub,
      client_id: 'authgate',
      scope: 'openid email',
      iss: idp.issuer,
      iat: expect.any(Number),
      exp: (refreshToken.body!.iat as number) + 1800,
    });
    expect((await introspect(idp, 'never-issued')).body).toEqual({ active: false });
  });

  it('keeps the access tokens of a grant working after a refresh, until their grant ends', async () => {
    const first = (await login(idp)).body!;
    await refresh(idp, String(first.refresh_token));
    expect((await userinfo(idp, String(first.access_token))).status).toBe(200);
  });

  it('introspects for an authenticated client only', async () => {
    const res = await post(idp, '/token/introspection', { client_id: 'authgate', client_secret: 'wrong', token: 'x' });
    expect({ status: res.status, body: res.body }).toEqual({
      status: 401,
      body: { error: 'invalid_client', error_description: 'client authentication failed' },
    });
  });
});

describe('userinfo and introspection with JWT access tokens', () => {
  let idp: GenericIdp;
  beforeAll(async () => {
    idp = await startGenericIdp({ accessTokenFormat: 'jwt' });
  });
  afterAll(() => idp.close());

  // oidc-provider keeps no record of a JWT access token, and a token with an audience is not for its userinfo endpoint.
  it('refuses its own JWT access tokens at userinfo and calls them inactive at introspection', async () => {
    const tokens = (await login(idp, 'alice', { scope: 'openid profile' })).body!;
    const res = await userinfo(idp, String(tokens.access_token));
    expect({ status: res.status, body: res.body }).toEqual({ status: 401, body: INVALID_TOKEN });
    expect((await introspect(idp, String(tokens.access_token))).body).toEqual({ active: false });
    expect((await introspect(idp, String(tokens.refresh_token))).body).toMatchObject({ active: true });
  });
});

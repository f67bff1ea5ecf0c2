import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { login, oauthError, startGenericIdp, token, type GenericIdp } from './helpers.js';

const ALICE = {
  sub: expect.stringMatching(/^[0-9a-f-]{36}$/),
  roles: ['user', 'offline_access'],
  preferred_username: 'alice',
  name: 'Alice Liddell',
  given_name: 'Alice',
  family_name: 'Liddell',
  email: 'alice@example.test',
  email_verified: true,
};

describe.each(['opaque', 'jwt'] as const)('the password grant with %s access tokens', (format) => {
  let idp: GenericIdp;
  beforeAll(async () => {
    idp = await startGenericIdp({ accessTokenFormat: format });
  });
  afterAll(() => idp.close());

  it('answers a token set with an ID token carrying the profile and the roles at the top level', async () => {
    const res = await login(idp, 'alice', { scope: 'openid profile email' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      access_token: expect.any(String),
      expires_in: 300,
      id_token: expect.any(String),
      refresh_token: expect.any(String),
      scope: 'openid profile email',
      token_type: 'Bearer',
    });
    const { payload } = await jwtVerify(String(res.body!.id_token), createRemoteJWKSet(new URL(`${idp.issuer}/jwks`)), {
      issuer: idp.issuer,
      audience: 'authgate',
    });
    expect(payload).toMatchObject(ALICE);
  });

  it('issues the access token in the configured format', async () => {
    const res = await login(idp, 'alice', { scope: 'openid profile email' });
    const accessToken = String(res.body!.access_token);
    if (format === 'opaque') {
      expect(accessToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
      return;
    }
    const { payload, protectedHeader } = await jwtVerify(
      accessToken,
      createRemoteJWKSet(new URL(`${idp.issuer}/jwks`)),
      { issuer: idp.issuer, audience: idp.resource, typ: 'at+jwt' },
    );
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload).toEqual({
      ...ALICE,
      jti: expect.any(String),
      iat: expect.any(Number),
      exp: (payload.iat ?? 0) + 300,
      scope: 'openid profile email',
      client_id: 'authgate',
      iss: idp.issuer,
      aud: idp.resource,
    });
  });

  it('grants only the scopes asked for: openid alone gives an ID token with sub and roles', async () => {
    const res = await login(idp, 'alice', { scope: 'openid' });
    expect(res.body!.scope).toBe('openid');
    expect(decodeJwt(String(res.body!.id_token))).toEqual({
      sub: ALICE.sub,
      roles: ALICE.roles,
      at_hash: expect.any(String),
      aud: 'authgate',
      iat: expect.any(Number),
      exp: expect.any(Number),
      iss: idp.issuer,
    });
  });

  it('refuses a wrong password, an unknown user and a disabled user with the one same answer', async () => {
    const answers = await Promise.all([
      token(idp, { grant_type: 'password', username: 'alice', password: 'wrong' }),
      token(idp, { grant_type: 'password', username: 'nobody', password: 'nobody-password' }),
      token(idp, { grant_type: 'password', username: 'bob', password: 'bob-password' }),
    ]);
    for (const res of answers) {
      expect({ status: res.status, body: res.body }).toEqual(
        oauthError(400, 'invalid_grant', 'grant request is invalid'),
      );
    }
  });

  it('refuses an unknown scope naming it, and a bad client secret as invalid_client with 401', async () => {
    const scope = await login(idp, 'alice', { scope: 'openid admin:everything' });
    expect({ status: scope.status, body: scope.body }).toEqual({
      status: 400,
      body: { error: 'invalid_scope', error_description: 'requested scope is not allowed', scope: 'admin:everything' },
    });
    const secret = await token(idp, {
      grant_type: 'password',
      client_secret: 'not-the-secret',
      username: 'alice',
      password: 'alice-password',
    });
    expect({ status: secret.status, body: secret.body }).toEqual(
      oauthError(401, 'invalid_client', 'client authentication failed'),
    );
  });

  it('asks for the username and password by name', async () => {
    const res = await token(idp, { grant_type: 'password', password: 'alice-password' });
    expect({ status: res.status, body: res.body }).toEqual(
      oauthError(400, 'invalid_request', "missing required parameter 'username'"),
    );
  });

  it('records what it was asked, without the password or the client secret', async () => {
    idp.clearSeen();
    await token(idp, { grant_type: 'password', username: 'alice', password: 'wrong', scope: 'openid' });
    expect(idp.seen).toEqual([
      {
        method: 'POST',
        endpoint: 'token',
        clientId: 'authgate',
        params: { client_id: 'authgate', grant_type: 'password', username: 'alice', scope: 'openid' },
        withheld: ['client_secret', 'password'],
        status: 400,
        error: 'invalid_grant',
        errorDescription: 'grant request is invalid',
      },
    ]);
    expect(JSON.stringify(idp.seen)).not.toContain(idp.clientSecret);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DevIdp } from '../../src/dev-idp/index.js';
import {
  CLIENT,
  claims,
  login,
  logout,
  OIDC,
  oauthError,
  post,
  refresh,
  startTestIdp,
  token,
  withOtherClient,
} from './helpers.js';

let idp: DevIdp;
beforeAll(async () => {
  idp = await startTestIdp({
    realm: (realm) => {
      withOtherClient(realm);
      // A role of the other client puts it in alice's access tokens' audience: the one client that may introspect them.
      realm.users = realm.users.map((u) => (u.username === 'alice' ? { ...u, clientRoles: { other: ['reader'] } } : u));
      realm.clients.push({
        ...realm.clients[0]!,
        clientId: 'spa',
        publicClient: true,
        secret: undefined,
        serviceAccountsEnabled: false,
      });
      return realm;
    },
  });
});
afterAll(async () => {
  await idp.close();
});

const userinfo = async (authorization?: string) => {
  const res = await fetch(`${idp.issuer}${OIDC}/userinfo`, { headers: authorization ? { authorization } : {} });
  return {
    status: res.status,
    challenge: res.headers.get('www-authenticate'),
    contentType: res.headers.get('content-type'),
    text: await res.text(),
  };
};
const challenge = (error: string, description: string) =>
  `Bearer realm="demo", error="${error}", error_description="${description}"`;

describe('userinfo', () => {
  it("answers the profile of a live access token's user", async () => {
    const res = await login(idp, 'alice', 'alice-password', { scope: 'openid' });
    const info = await userinfo(`Bearer ${String(res.body?.access_token)}`);
    expect({ status: info.status, body: JSON.parse(info.text) }).toEqual({
      status: 200,
      body: {
        sub: claims(res.body?.access_token).sub,
        email_verified: true,
        name: 'Alice Liddell',
        preferred_username: 'alice',
        given_name: 'Alice',
        family_name: 'Liddell',
        email: 'alice@example.test',
      },
    });
  });

  it('signals failures in WWW-Authenticate with an empty text body, as Keycloak does', async () => {
    const empty = { contentType: 'text/plain;charset=utf-8', text: '' };
    expect(await userinfo()).toEqual({ status: 401, challenge: 'Bearer realm="demo"', ...empty });
    expect(await userinfo('Bearer nope')).toEqual({
      status: 401,
      challenge: challenge('invalid_token', 'Token verification failed'),
      ...empty,
    });
    const noOpenid = await login(idp, 'alice', 'alice-password');
    expect(await userinfo(`Bearer ${String(noOpenid.body?.access_token)}`)).toEqual({
      status: 403,
      challenge: challenge('insufficient_scope', 'Missing openid scope'),
      ...empty,
    });
  });

  it("names a session that ended by Keycloak's event code, as Keycloak 24 and later do", async () => {
    const ended = await login(idp, 'alice', 'alice-password', { scope: 'openid' });
    await logout(idp, ended.body?.refresh_token);
    expect(await userinfo(`Bearer ${String(ended.body?.access_token)}`)).toEqual({
      status: 401,
      challenge: challenge('invalid_token', 'user_session_not_found'),
      contentType: 'text/plain;charset=utf-8',
      text: '',
    });
  });
});

describe('introspection', () => {
  const introspect = (form: Record<string, string>) => post(idp, `${OIDC}/token/introspect`, form);

  const OTHER = { client_id: 'other', client_secret: 'other-secret' };

  it('describes an active access token to a client of its audience, and answers {"active":false} for anything unusable', async () => {
    const res = await login(idp, 'alice', 'alice-password');
    expect(claims(res.body?.access_token).aud).toBe('other');
    const active = await introspect({ ...OTHER, token: String(res.body?.access_token) });
    expect(active.body).toEqual({
      ...claims(res.body?.access_token),
      client_id: 'authgate',
      username: 'alice',
      token_type: 'Bearer',
      active: true,
    });
    expect((await introspect({ ...OTHER, token: 'nope' })).body).toEqual({ active: false });
    await logout(idp, res.body?.refresh_token);
    expect((await introspect({ ...OTHER, token: String(res.body?.access_token) })).body).toEqual({ active: false });
  });

  it('answers {"active":false} to the client the access token was issued to when the token does not name it in aud, as Keycloak 26.7.3 does', async () => {
    const res = await login(idp, 'alice', 'alice-password');
    expect((await introspect({ ...CLIENT, token: String(res.body?.access_token) })).body).toEqual({ active: false });
    const admin = await login(idp, 'admin', 'admin-password');
    expect(claims(admin.body?.access_token).aud).toBeUndefined();
    expect((await introspect({ ...CLIENT, token: String(admin.body?.access_token) })).body).toEqual({ active: false });
  });

  it("introspects refresh tokens when hinted, with the access token's claims for them and the token's whole scope", async () => {
    const res = await login(idp, 'alice', 'alice-password', { scope: 'openid' });
    const access = claims(res.body?.access_token);
    const refreshToken = claims(res.body?.refresh_token);
    const active = await introspect({
      ...CLIENT,
      token: String(res.body?.refresh_token),
      token_type_hint: 'refresh_token',
    });
    expect(active.body).toEqual({
      exp: refreshToken.exp,
      iat: refreshToken.iat,
      jti: refreshToken.jti,
      iss: idp.issuer,
      aud: idp.issuer,
      sub: access.sub,
      typ: 'Refresh',
      azp: 'authgate',
      sid: access.sid,
      acr: '1',
      'allowed-origins': ['http://localhost:3000'],
      realm_access: access.realm_access,
      resource_access: access.resource_access,
      scope: 'openid profile email roles web-origins acr basic',
      email_verified: true,
      name: 'Alice Liddell',
      preferred_username: 'alice',
      given_name: 'Alice',
      family_name: 'Liddell',
      email: 'alice@example.test',
      client_id: 'authgate',
      username: 'alice',
      token_type: 'Refresh',
      active: true,
    });
  });

  it('is for confidential clients only, with its own error texts', async () => {
    const spa = await introspect({ client_id: 'spa', token: 'x' });
    const wrong = await introspect({ client_id: 'authgate', client_secret: 'x', token: 'x' });
    const unknown = await introspect({ client_id: 'nobody', client_secret: 'x', token: 'x' });
    const missing = await introspect({ ...CLIENT });
    expect({ status: spa.status, body: spa.body }).toEqual({
      status: 403,
      body: oauthError('invalid_request', 'Client not allowed.'),
    });
    expect({ status: wrong.status, body: wrong.body }).toEqual({
      status: 401,
      body: oauthError('invalid_client', 'Client authentication failed.'),
    });
    expect({ status: unknown.status, body: unknown.body }).toEqual({
      status: 401,
      body: oauthError('invalid_client', 'Invalid client or Invalid client credentials'),
    });
    expect({ status: missing.status, body: missing.body }).toEqual({
      status: 400,
      body: oauthError('invalid_request', 'Token not provided.'),
    });
  });
});

describe('revocation', () => {
  const revoke = (form: Record<string, string>) => post(idp, `${OIDC}/revoke`, form);

  it("revokes a refresh token's client session: 200, empty body, and the refresh fails from then on", async () => {
    const res = await login(idp, 'alice', 'alice-password');
    const answer = await revoke({ ...CLIENT, token: String(res.body?.refresh_token) });
    expect({ status: answer.status, text: answer.text }).toEqual({ status: 200, text: '' });
    expect((await refresh(idp, res.body?.refresh_token)).body).toEqual(
      oauthError('invalid_grant', 'Session not active'),
    );
  });

  it('revokes an access token for userinfo and introspection until it expires', async () => {
    const res = await login(idp, 'alice', 'alice-password', { scope: 'openid' });
    expect((await revoke({ ...CLIENT, token: String(res.body?.access_token) })).status).toBe(200);
    expect((await userinfo(`Bearer ${String(res.body?.access_token)}`)).challenge).toBe(
      challenge('invalid_token', 'Token verification failed'),
    );
    expect(
      (
        await post(idp, `${OIDC}/token/introspect`, {
          client_id: 'other',
          client_secret: 'other-secret',
          token: String(res.body?.access_token),
        })
      ).body,
    ).toEqual({ active: false });
  });

  it("answers an unusable token with 200 and a body, another client's token with 400, a missing one with 400", async () => {
    const theirs = await token(idp, {
      grant_type: 'password',
      client_id: 'other',
      client_secret: 'other-secret',
      username: 'alice',
      password: 'alice-password',
    });
    const bad = await revoke({ ...CLIENT, token: 'nope' });
    const foreign = await revoke({ ...CLIENT, token: String(theirs.body?.refresh_token) });
    const missing = await revoke({ ...CLIENT });
    expect({ status: bad.status, body: bad.body }).toEqual({
      status: 200,
      body: oauthError('invalid_token', 'Invalid token'),
    });
    expect({ status: foreign.status, body: foreign.body }).toEqual({
      status: 400,
      body: oauthError('invalid_request', 'Unmatching clients'),
    });
    expect({ status: missing.status, body: missing.body }).toEqual({
      status: 400,
      body: oauthError('invalid_request', 'Token not provided'),
    });
  });
});

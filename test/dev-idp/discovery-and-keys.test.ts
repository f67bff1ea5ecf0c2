import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { DevIdp } from '../../src/dev-idp/index.js';
import { claims, header, login, OIDC, startTestIdp, token } from './helpers.js';

let idp: DevIdp;
beforeAll(async () => {
  idp = await startTestIdp();
});
afterAll(async () => {
  await idp.close();
});

describe('discovery', () => {
  it("is served at Keycloak's path, naming the issuer and Keycloak's endpoint paths", async () => {
    const res = await fetch(`${idp.issuer}/.well-known/openid-configuration`);
    const body = (await res.json()) as Record<string, unknown>;
    const base = `${idp.issuer}${OIDC}`;
    expect(res.status).toBe(200);
    expect(idp.issuer).toBe(`${idp.url}/realms/demo`);
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
    expect(body.grant_types_supported).toEqual(
      expect.arrayContaining(['authorization_code', 'refresh_token', 'password', 'client_credentials']),
    );
    expect(body.scopes_supported).toEqual(
      expect.arrayContaining(['openid', 'profile', 'email', 'roles', 'offline_access']),
    );
  });

  it('answers any path of another realm with 404 {"error":"Realm does not exist"}', async () => {
    for (const path of [
      '/realms/nope/.well-known/openid-configuration',
      '/realms/Demo/protocol/openid-connect/certs',
    ]) {
      const res = await fetch(`${idp.url}${path}`);
      expect({ path, status: res.status, body: await res.json() }).toEqual({
        path,
        status: 404,
        body: { error: 'Realm does not exist' },
      });
    }
    const post = await fetch(`${idp.url}/realms/nope/protocol/openid-connect/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'password' }),
    });
    expect({ status: post.status, body: await post.json() }).toEqual({
      status: 404,
      body: { error: 'Realm does not exist' },
    });
  });
});

describe('the key set and the tokens', () => {
  it("verifies the access token, which carries Keycloak's header and claims", async () => {
    const res = await login(idp, 'admin', 'admin-password', { scope: 'openid' });
    const jwks = createRemoteJWKSet(new URL(`${idp.issuer}${OIDC}/certs`));
    const { payload, protectedHeader } = await jwtVerify(String(res.body?.access_token), jwks, { issuer: idp.issuer });
    expect(protectedHeader).toEqual({ alg: 'RS256', typ: 'JWT', kid: expect.any(String) });
    expect(payload).toEqual({
      exp: (payload.iat ?? 0) + 300,
      iat: expect.any(Number),
      jti: expect.any(String),
      iss: idp.issuer,
      sub: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      typ: 'Bearer',
      azp: 'authgate',
      sid: res.body?.session_state,
      acr: '1',
      'allowed-origins': ['http://localhost:3000'],
      // An imported user holds the roles the realm file lists, no more: Keycloak's import hands out no default roles.
      realm_access: { roles: ['user', 'admin', 'offline_access'] },
      scope: 'openid profile email',
      email_verified: true,
      name: 'Ada Admin',
      preferred_username: 'admin',
      given_name: 'Ada',
      family_name: 'Admin',
      email: 'admin@example.test',
    });
  });

  it('gives the same user the same sub on every login, and the realm file id when it has one', async () => {
    const first = claims((await login(idp, 'alice', 'alice-password')).body?.access_token);
    const second = claims((await login(idp, 'alice@example.test', 'alice-password')).body?.access_token);
    expect(second.sub).toBe(first.sub);
    const withId = await startTestIdp({
      realm: (r) => ({ ...r, users: r.users.map((u) => (u.username === 'alice' ? { ...u, id: 'f00d-alice' } : u)) }),
    });
    try {
      expect(claims((await login(withId, 'alice', 'alice-password')).body?.access_token).sub).toBe('f00d-alice');
    } finally {
      await withId.close();
    }
  });

  it('issues an ID token for the client when openid is asked, and an HS512 refresh token the key set cannot verify', async () => {
    const res = await login(idp, 'alice', 'alice-password', { scope: 'openid' });
    const access = claims(res.body?.access_token);
    // No auth_time: Keycloak keeps none for a password login (the code flow's ID tokens carry one).
    expect(claims(res.body?.id_token)).toEqual({
      exp: access.exp,
      iat: access.iat,
      jti: expect.any(String),
      iss: idp.issuer,
      aud: 'authgate',
      sub: access.sub,
      typ: 'ID',
      azp: 'authgate',
      sid: access.sid,
      at_hash: expect.stringMatching(/^[\w-]{22}$/),
      acr: '1',
      email_verified: true,
      name: 'Alice Liddell',
      preferred_username: 'alice',
      given_name: 'Alice',
      family_name: 'Liddell',
      email: 'alice@example.test',
    });
    expect(header(res.body?.refresh_token)).toEqual({ alg: 'HS512', typ: 'JWT', kid: expect.any(String) });
    expect(claims(res.body?.refresh_token)).toEqual({
      exp: (access.iat as number) + 1800,
      iat: access.iat,
      jti: expect.any(String),
      iss: idp.issuer,
      aud: idp.issuer,
      sub: access.sub,
      typ: 'Refresh',
      azp: 'authgate',
      sid: access.sid,
      // The whole granted scope, those never named in the response's scope too; reuse_id names the rotation chain.
      scope: 'openid profile email roles web-origins acr basic',
      reuse_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    const jwks = (await (await fetch(`${idp.issuer}${OIDC}/certs`)).json()) as {
      keys: { kid: string; use: string; alg: string }[];
    };
    expect(jwks.keys).toEqual([
      expect.objectContaining({ kid: header(res.body?.access_token).kid, use: 'sig', alg: 'RS256', kty: 'RSA' }),
    ]);
  });

  it('reads a body that is not form-encoded as an empty form, as Keycloak 26.7.3 does', async () => {
    const res = await fetch(`${idp.issuer}${OIDC}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"grant_type":"password"}',
    });
    expect({ status: res.status, body: await res.json() }).toEqual({
      status: 400,
      body: { error: 'invalid_request', error_description: 'Missing form parameter: grant_type' },
    });
    expect((await token(idp, {})).body).toEqual({
      error: 'invalid_request',
      error_description: 'Missing form parameter: grant_type',
    });
  });

  it('types discovery and the key set as Keycloak does: plain application/json', async () => {
    for (const path of ['/.well-known/openid-configuration', `${OIDC}/certs`]) {
      const res = await fetch(`${idp.issuer}${path}`);
      expect({ path, type: res.headers.get('content-type') }).toEqual({ path, type: 'application/json' });
    }
  });
});

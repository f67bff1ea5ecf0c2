import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DevIdp } from '../../src/dev-idp/index.js';
import { CLIENT, claims, oauthError, startTestIdp, token } from './helpers.js';

let idp: DevIdp;
beforeAll(async () => {
  idp = await startTestIdp({
    realm: (realm) => {
      const authgate = realm.clients[0]!;
      realm.clients.push(
        { ...authgate, clientId: 'no-accounts', secret: 's', serviceAccountsEnabled: false },
        { ...authgate, clientId: 'spa', publicClient: true, secret: undefined },
        { ...authgate, clientId: 'robot', secret: 'robot-secret' },
        { ...authgate, clientId: 'made-by-import', secret: 'made-secret' },
      );
      realm.users.push({
        ...realm.users.at(-1)!,
        username: 'service-account-robot',
        serviceAccountClientId: 'robot',
        enabled: false,
        clientRoles: {},
      });
      return realm;
    },
  });
});
afterAll(async () => {
  await idp.close();
});

describe('the client_credentials grant', () => {
  it("answers the service account's token without refresh token or session", async () => {
    const res = await token(idp, { grant_type: 'client_credentials', ...CLIENT });
    expect({ status: res.status, body: res.body }).toEqual({
      status: 200,
      body: {
        access_token: expect.any(String),
        expires_in: 300,
        refresh_expires_in: 0,
        token_type: 'Bearer',
        'not-before-policy': 0,
        scope: 'profile email',
      },
    });
    const access = claims(res.body?.access_token);
    // As Keycloak 26.7.3 issues it for the service-account user the realm file brings: its own roles only (the
    // composite view-users adding query-groups), no realm roles, none of the service-account mapper claims.
    expect(access).toEqual({
      exp: (access.iat as number) + 300,
      iat: expect.any(Number),
      jti: expect.any(String),
      iss: idp.issuer,
      aud: 'realm-management',
      sub: expect.any(String),
      typ: 'Bearer',
      azp: 'authgate',
      acr: '1',
      'allowed-origins': ['http://localhost:3000'],
      resource_access: { 'realm-management': { roles: ['manage-users', 'view-users', 'query-users', 'query-groups'] } },
      scope: 'profile email',
      email_verified: false,
      preferred_username: 'service-account-authgate',
    });
    expect(access).not.toHaveProperty('sid');
  });

  it("gives the service account Keycloak's import creates (none in the file) the realm's default roles and the service-account claims", async () => {
    const res = await token(idp, {
      grant_type: 'client_credentials',
      client_id: 'made-by-import',
      client_secret: 'made-secret',
    });
    expect(claims(res.body?.access_token)).toMatchObject({
      aud: 'account',
      azp: 'made-by-import',
      realm_access: { roles: ['default-roles-demo', 'offline_access', 'uma_authorization'] },
      resource_access: { account: { roles: ['manage-account', 'view-profile', 'manage-account-links'] } },
      preferred_username: 'service-account-made-by-import',
      client_id: 'made-by-import',
      clientHost: '127.0.0.1',
      clientAddress: '127.0.0.1',
    });
  });

  it.each([
    [
      'a client without service accounts',
      { client_id: 'no-accounts', client_secret: 's' },
      'unauthorized_client',
      'Client not enabled to retrieve service account',
    ],
    [
      'a public client',
      { client_id: 'spa' },
      'unauthorized_client',
      'Public client not allowed to retrieve service account',
    ],
    [
      'a disabled service-account user',
      { client_id: 'robot', client_secret: 'robot-secret' },
      'invalid_request',
      "User 'service-account-robot' disabled",
    ],
    [
      'a wrong secret',
      { client_id: 'authgate', client_secret: 'x' },
      'unauthorized_client',
      'Invalid client or Invalid client credentials',
    ],
  ])('refuses %s with 401', async (_case, client, error, description) => {
    const res = await token(idp, { grant_type: 'client_credentials', ...client });
    expect({ status: res.status, body: res.body }).toEqual({ status: 401, body: oauthError(error, description) });
  });
});

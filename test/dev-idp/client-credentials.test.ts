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
      );
      realm.users.push({ ...realm.users.at(-1)!, username: 'service-account-robot', serviceAccountClientId: 'robot', enabled: false, clientRoles: {} });
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
      body: { access_token: expect.any(String), expires_in: 300, refresh_expires_in: 0, token_type: 'Bearer', 'not-before-policy': 0, scope: 'profile email' },
    });
    const access = claims(res.body?.access_token);
    expect(access).toMatchObject({
      aud: ['realm-management', 'account'],
      typ: 'Bearer',
      azp: 'authgate',
      preferred_username: 'service-account-authgate',
      client_id: 'authgate',
      email_verified: false,
      resource_access: { 'realm-management': { roles: ['manage-users', 'view-users', 'query-users'] }, account: { roles: expect.any(Array) } },
    });
    expect(access).not.toHaveProperty('sid');
  });

  it.each([
    ['a client without service accounts', { client_id: 'no-accounts', client_secret: 's' }, 'unauthorized_client', 'Client not enabled to retrieve service account'],
    ['a public client', { client_id: 'spa' }, 'unauthorized_client', 'Public client not allowed to retrieve service account'],
    ['a disabled service-account user', { client_id: 'robot', client_secret: 'robot-secret' }, 'invalid_request', "User 'service-account-robot' disabled"],
    ['a wrong secret', { client_id: 'authgate', client_secret: 'x' }, 'unauthorized_client', 'Invalid client or Invalid client credentials'],
  ])('refuses %s with 401', async (_case, client, error, description) => {
    const res = await token(idp, { grant_type: 'client_credentials', ...client });
    expect({ status: res.status, body: res.body }).toEqual({ status: 401, body: oauthError(error, description) });
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DevIdp } from '../../src/dev-idp/index.js';
import { admin, errorHeaders, newUser, serviceToken, withRoleClients } from './admin-helpers.js';
import { login, oauthError, refresh, startTestIdp } from './helpers.js';

let idp: DevIdp;
let bearer: string;
const tokens: Record<string, string> = {};
beforeAll(async () => {
  idp = await startTestIdp({
    realm: (realm) => withRoleClients(realm, { viewer: ['view-users'], querier: ['query-users'], nobody: [] }),
  });
  bearer = await serviceToken(idp);
  for (const client of ['viewer', 'querier', 'nobody'])
    tokens[client] = await serviceToken(idp, { client_id: client, client_secret: `${client}-secret` });
});
afterAll(async () => {
  await idp.close();
});

const UNKNOWN = '00000000-0000-0000-0000-000000000000';
const FORBIDDEN = { status: 403, headers: errorHeaders, body: { error: 'HTTP 403 Forbidden' } };
const NOT_FOUND = { status: 404, headers: errorHeaders, body: { error: 'User not found' } };

async function created(username: string): Promise<string> {
  const reply = await admin(idp, 'POST', '/users', { bearer, body: newUser(username, `${username}-pass1`) });
  expect(reply.status).toBe(201);
  return reply.headers.location?.split('/').pop() ?? '';
}

describe('one user of the Admin API (GET and DELETE /admin/realms/{realm}/users/{id})', () => {
  it('reads a created user with the six access flags of a single user, as Keycloak 26.7.3 answers', async () => {
    const id = await created('dora');
    expect(await admin(idp, 'GET', `/users/${id}`, { bearer })).toEqual({
      status: 200,
      headers: { location: null, contentType: 'application/json;charset=UTF-8', cacheControl: 'no-cache' },
      body: {
        id,
        username: 'dora',
        firstName: 'New',
        lastName: 'Person',
        email: 'dora@example.test',
        emailVerified: false,
        enabled: true,
        createdTimestamp: expect.any(Number),
        totp: false,
        disableableCredentialTypes: [],
        requiredActions: [],
        notBefore: 0,
        access: {
          manageGroupMembership: true,
          resetPassword: true,
          view: true,
          mapRoles: true,
          impersonate: false,
          manage: true,
        },
      },
    });
    const viewed = await admin(idp, 'GET', `/users/${id}`, { bearer: tokens.viewer });
    expect(viewed.body).toMatchObject({
      access: {
        manageGroupMembership: false,
        resetPassword: false,
        view: true,
        mapRoles: false,
        impersonate: false,
        manage: false,
      },
    });
  });

  it('answers an unknown id with 404 to a caller that may query users and 403 to any other', async () => {
    expect(await admin(idp, 'GET', `/users/${UNKNOWN}`, { bearer })).toEqual(NOT_FOUND);
    expect(await admin(idp, 'GET', '/users/not-a-uuid', { bearer: tokens.querier })).toEqual(NOT_FOUND);
    expect(await admin(idp, 'DELETE', `/users/${UNKNOWN}`, { bearer: tokens.viewer })).toEqual(NOT_FOUND);
    expect(await admin(idp, 'GET', `/users/${UNKNOWN}`, { bearer: tokens.nobody })).toEqual(FORBIDDEN);
  });

  it('needs view-users to read a known user and manage-users to delete one', async () => {
    const id = await created('erin');
    expect(await admin(idp, 'GET', `/users/${id}`, { bearer: tokens.querier })).toEqual(FORBIDDEN);
    expect(await admin(idp, 'GET', `/users/${id}`, { bearer: tokens.nobody })).toEqual(FORBIDDEN);
    expect(await admin(idp, 'DELETE', `/users/${id}`, { bearer: tokens.viewer })).toEqual(FORBIDDEN);
    expect(await admin(idp, 'DELETE', `/users/${id}`, { bearer: tokens.nobody })).toEqual(FORBIDDEN);
    expect((await admin(idp, 'GET', `/users/${id}`)).body).toEqual({ error: 'HTTP 401 Unauthorized' });
    expect((await admin(idp, 'GET', `/users/${id}`, { bearer })).status).toBe(200);
  });

  it('deletes a user with 204: gone from GET and search, its login refused, its refresh token dead', async () => {
    const id = await created('finn');
    const session = await login(idp, 'finn', 'finn-pass1');
    expect(session.status).toBe(200);
    expect(await admin(idp, 'DELETE', `/users/${id}`, { bearer })).toEqual({
      status: 204,
      headers: { location: null, contentType: null, cacheControl: 'no-cache' },
      body: undefined,
    });
    expect(await admin(idp, 'GET', `/users/${id}`, { bearer })).toEqual(NOT_FOUND);
    expect(await admin(idp, 'DELETE', `/users/${id}`, { bearer })).toEqual(NOT_FOUND);
    expect((await admin(idp, 'GET', '/users?username=finn&exact=true', { bearer })).body).toEqual([]);
    expect((await login(idp, 'finn', 'finn-pass1')).body).toEqual(
      oauthError('invalid_grant', 'Invalid user credentials'),
    );
    expect((await refresh(idp, session.body?.refresh_token)).body).toEqual(
      oauthError('invalid_grant', 'Session not active'),
    );
    // The name is free again.
    expect((await admin(idp, 'POST', '/users', { bearer, body: newUser('finn', 'finn-pass2') })).status).toBe(201);
  });

  it('reads an imported user and a service account by id too', async () => {
    const [alice] = (await admin(idp, 'GET', '/users?username=alice&exact=true', { bearer })).body as { id: string }[];
    expect((await admin(idp, 'GET', `/users/${alice?.id}`, { bearer })).body).toMatchObject({
      username: 'alice',
      emailVerified: true,
    });
    const [account] = (await admin(idp, 'GET', '/users?username=service-account-reporting-bot&exact=true', { bearer }))
      .body as { id: string }[];
    expect((await admin(idp, 'GET', `/users/${account?.id}`, { bearer })).body).toMatchObject({
      username: 'service-account-reporting-bot',
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DevIdp } from '../../src/dev-idp/index.js';
import { admin, errorHeaders, newUser, serviceToken, withRoleClients } from './admin-helpers.js';
import { claims, login, oauthError, startTestIdp } from './helpers.js';

// The demo realm as the file has it: password policy "length(8) and notUsername".
let idp: DevIdp;
let bearer: string;
beforeAll(async () => {
  idp = await startTestIdp({ realm: (realm) => withRoleClients(realm, { viewer: ['view-users'] }) });
  bearer = await serviceToken(idp);
});
afterAll(async () => {
  await idp.close();
});

const create = (body: unknown, options: { bearer?: string; contentType?: string } = {}) =>
  admin(idp, 'POST', '/users', { bearer, body, ...options });
const find = async (username: string) =>
  (await admin(idp, 'GET', `/users?username=${encodeURIComponent(username)}&exact=true`, { bearer })).body;

describe('creating a user through the Admin API (POST /admin/realms/{realm}/users)', () => {
  it("answers 201 with the new user's URL and no body, and the user logs in at once with the realm's default roles", async () => {
    const created = await create(newUser('dora', 'dora-pass1'));
    expect(created).toEqual({
      status: 201,
      headers: {
        location: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/admin\/realms\/demo\/users\/[\w-]{36}$/),
        contentType: null,
        cacheControl: null,
      },
      body: undefined,
    });
    const id = created.headers.location?.split('/').pop();
    const tokens = await login(idp, 'dora', 'dora-pass1', { scope: 'openid' });
    expect(tokens.status).toBe(200);
    expect(claims(tokens.body?.access_token)).toMatchObject({
      sub: id,
      preferred_username: 'dora',
      email: 'dora@example.test',
      email_verified: false,
      name: 'New Person',
      realm_access: { roles: expect.arrayContaining(['offline_access', 'default-roles-demo', 'uma_authorization']) },
    });
    expect((await login(idp, 'dora@example.test', 'dora-pass1')).status).toBe(200);
  });

  it('stores username and email in lower case, and a second user with either in any case is 409', async () => {
    expect((await create(newUser('Zed', 'zed-pass1', { email: 'Zed@Example.test' }))).status).toBe(201);
    expect(await find('zed')).toEqual([expect.objectContaining({ username: 'zed', email: 'zed@example.test' })]);
    expect(await create(newUser('ZED', 'zed-pass1', { email: 'other@example.test' }))).toEqual({
      status: 409,
      headers: errorHeaders,
      body: { errorMessage: 'User exists with same username' },
    });
    expect((await create(newUser('zed2', 'zed-pass1', { email: 'ZED@example.test' }))).body).toEqual({
      errorMessage: 'User exists with same email',
    });
  });

  it('names the email when both username and email are taken, as Keycloak does', async () => {
    const both = await create(newUser('alice', 'alice-pass1', { email: 'alice@example.test' }));
    expect(both).toEqual({ status: 409, headers: errorHeaders, body: { errorMessage: 'User exists with same email' } });
    const takenAndMalformed = await create(newUser('alice', 'alice-pass1', { email: 'nope' }));
    expect(takenAndMalformed.body).toEqual({ errorMessage: 'User exists with same username' });
  });

  it.each([
    ['missing', { email: 'hank@example.test', enabled: true }],
    ['empty', { username: '', email: 'hank@example.test' }],
    ['blank', { username: '   ', email: 'hank@example.test' }],
    ['missing, with a taken email', { email: 'alice@example.test' }],
  ])('refuses a %s username with 400 "User name is missing"', async (_case, body) => {
    expect(await create(body)).toEqual({
      status: 400,
      headers: errorHeaders,
      body: { errorMessage: 'User name is missing' },
    });
  });

  it.each([
    [
      'a malformed email',
      newUser('frank', 'frank-pass1', { email: 'not-an-email' }),
      { field: 'email', errorMessage: 'error-invalid-email', params: ['email', 'not-an-email'] },
    ],
    [
      'an email with two @',
      newUser('frank', 'frank-pass1', { email: 'a@b@c.test' }),
      { field: 'email', errorMessage: 'error-invalid-email', params: ['email', 'a@b@c.test'] },
    ],
    [
      'a username with a space and <>',
      newUser('fr ank<>', 'frank-pass1', { email: 'frank@example.test' }),
      { field: 'username', errorMessage: 'error-username-invalid-character', params: ['username'] },
    ],
    [
      'a username of 256 characters',
      newUser('u'.repeat(256), 'frank-pass1', { email: 'u@example.test' }),
      { field: 'username', errorMessage: 'error-invalid-length', params: ['username', 3, 255] },
    ],
    [
      'a username of 2 characters',
      newUser('ab', 'frank-pass1'),
      { field: 'username', errorMessage: 'error-invalid-length', params: ['username', 3, 255] },
    ],
    [
      'a first name with <',
      newUser('rita', 'rita-pass1', { firstName: '<script>' }),
      { field: 'firstName', errorMessage: 'error-person-name-invalid-character', params: ['firstName'] },
    ],
    [
      'a last name of 256 characters',
      newUser('rita', 'rita-pass1', { lastName: 'l'.repeat(256) }),
      { field: 'lastName', errorMessage: 'error-invalid-length-too-long', params: ['lastName', null, 255] },
    ],
  ])('refuses %s with 400 and the field error, and leaves no user behind', async (_case, body, error) => {
    expect(await create(body)).toEqual({ status: 400, headers: errorHeaders, body: error });
    expect(await find(String(body.username))).toEqual([]);
  });

  it("lists several field errors together in Keycloak's order", async () => {
    const reply = await create(newUser('t m', 'tom-pass1', { email: 'nope', firstName: '<x>', lastName: '<y>' }));
    expect(reply.body).toEqual({
      errors: [
        { field: 'email', errorMessage: 'error-invalid-email', params: ['email', 'nope'] },
        { field: 'username', errorMessage: 'error-username-invalid-character', params: ['username'] },
        { field: 'lastName', errorMessage: 'error-person-name-invalid-character', params: ['lastName'] },
        { field: 'firstName', errorMessage: 'error-person-name-invalid-character', params: ['firstName'] },
      ],
    });
    expect((await create({ username: 'a<' })).body).toEqual({
      errors: [
        { field: 'username', errorMessage: 'error-invalid-length', params: ['username', 3, 255] },
        { field: 'username', errorMessage: 'error-username-invalid-character', params: ['username'] },
      ],
    });
  });

  it("refuses a password the realm's policy refuses with its message, checked after the profile, and creates nobody", async () => {
    expect(await create(newUser('erin', 'short'))).toEqual({
      status: 400,
      headers: errorHeaders,
      body: { error: 'invalidPasswordMinLengthMessage', error_description: 'Invalid password: minimum length 8.' },
    });
    expect(await find('erin')).toEqual([]);
    expect((await create(newUser('erin12345', 'ERIN12345'))).body).toEqual({
      error: 'invalidPasswordNotUsernameMessage',
      error_description: 'Invalid password: must not be equal to the username.',
    });
    expect((await create(newUser('erin', 'short', { email: 'nope' }))).body).toMatchObject({ field: 'email' });
    expect((await create(newUser('alice', 'short', { email: 'erin@example.test' }))).status).toBe(409);
    expect((await login(idp, 'erin', 'short')).body).toEqual(oauthError('invalid_grant', 'Invalid user credentials'));
  });

  it.each([
    ['a required action', { requiredActions: ['VERIFY_EMAIL'] }, ['VERIFY_EMAIL']],
    [
      'a temporary password',
      { credentials: [{ type: 'password', value: 'temp-pass1', temporary: true }] },
      ['UPDATE_PASSWORD'],
    ],
    ['no email, first or last name', { email: undefined, firstName: undefined, lastName: undefined }, []],
  ])('creates a user with %s, who cannot log in yet: "Account is not fully set up"', async (what, extra, actions) => {
    const username = `jane-${actions.length}-${what.length}`;
    const password = JSON.stringify(extra).includes('temp-pass1') ? 'temp-pass1' : 'jane-pass1';
    expect((await create(newUser(username, 'jane-pass1', extra))).status).toBe(201);
    expect(await find(username)).toEqual([expect.objectContaining({ requiredActions: actions })]);
    expect((await login(idp, username, password)).body).toEqual(
      oauthError('invalid_grant', 'Account is not fully set up'),
    );
  });

  it('drops unknown required actions and attributes, ignores id and roles, and leaves a user without "enabled" disabled', async () => {
    const body = newUser('gina', 'gina-pass1', {
      requiredActions: ['NOPE'],
      attributes: { shoeSize: ['42'] },
      id: '11111111-1111-1111-1111-111111111111',
      realmRoles: ['admin'],
      enabled: undefined,
    });
    const created = await create(body);
    expect(created.status).toBe(201);
    expect(created.headers.location).not.toContain('11111111-1111');
    expect(await find('gina')).toEqual([expect.objectContaining({ enabled: false, requiredActions: [] })]);
    expect((await login(idp, 'gina', 'gina-pass1')).body).toEqual(oauthError('invalid_grant', 'Account disabled'));
  });

  it.each([
    ['broken JSON', '{"username":', { error: 'invalid_request', error_description: 'Cannot parse the JSON' }],
    ['an array', '[]', { error: 'unknown_error', error_description: 'Cannot parse the JSON' }],
    [
      'a flag that is no flag',
      '{"username":"lena","enabled":"yes"}',
      { error: 'unknown_error', error_description: 'Cannot parse the JSON' },
    ],
    [
      'required actions that are no list',
      '{"username":"lena","requiredActions":"VERIFY_EMAIL"}',
      { error: 'unknown_error', error_description: 'Cannot parse the JSON' },
    ],
    [
      'a field UserRepresentation lacks',
      '{"username":"ééé","shoe":1}',
      { error: 'Invalid json representation for UserRepresentation. Unrecognized field "shoe" at line 1 column 30.' },
    ],
    [
      'an unknown field on line 3',
      '{\n "username":"lena",\n  "shoe": true\n}',
      { error: 'Invalid json representation for UserRepresentation. Unrecognized field "shoe" at line 3 column 15.' },
    ],
  ])("refuses %s with Keycloak's 400", async (_case, text, body) => {
    expect(await create(text)).toEqual({ status: 400, headers: errorHeaders, body });
  });

  it('refuses a body that is not JSON by its type with 415', async () => {
    expect(await create(JSON.stringify(newUser('uma', 'uma-pass1')), { contentType: 'text/plain' })).toEqual({
      status: 415,
      headers: errorHeaders,
      body: { error: 'The content-type header value did not match the value in @Consumes' },
    });
    expect((await create(newUser('uma', 'uma-pass1'), { contentType: 'application/json; charset=utf-8' })).status).toBe(
      201,
    );
  });

  it('refuses a caller without manage-users with 403, no token with 401 and another realm with 404', async () => {
    const viewer = await serviceToken(idp, { client_id: 'viewer', client_secret: 'viewer-secret' });
    expect(await create(newUser('kim', 'kim-pass1'), { bearer: viewer })).toEqual({
      status: 403,
      headers: errorHeaders,
      body: { error: 'HTTP 403 Forbidden' },
    });
    // As at Keycloak, the body is read before the role is checked.
    expect((await create('{"username":', { bearer: viewer })).status).toBe(400);
    expect((await admin(idp, 'POST', '/users', { body: newUser('kim', 'kim-pass1') })).body).toEqual({
      error: 'HTTP 401 Unauthorized',
    });
    expect(
      (await admin(idp, 'POST', '/users', { bearer, body: newUser('kim', 'kim-pass1'), realm: 'other' })).body,
    ).toEqual({
      error: 'Realm not found.',
    });
    expect(await find('kim')).toEqual([]);
    expect((await admin(idp, 'PUT', '/users', { bearer, body: {} })).body).toEqual({
      error: 'HTTP 405 Method Not Allowed',
    });
  });

  it('creates one user of two sent at once with the same username; the other is 409', async () => {
    const replies = await Promise.all([
      create(newUser('mona', 'mona-pass1')),
      create(newUser('mona', 'mona-pass1', { email: 'mona2@example.test' })),
    ]);
    expect(replies.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(await find('mona')).toHaveLength(1);
  });
});

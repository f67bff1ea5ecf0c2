import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DevIdp } from '../../src/dev-idp/index.js';
import { CLIENT, login, MovableClock, startTestIdp, token } from './helpers.js';

const clock = new MovableClock();
let idp: DevIdp;
beforeAll(async () => {
  idp = await startTestIdp({
    now: clock.now,
    realm: (realm) => {
      const authgate = realm.clients[0]!;
      const account = realm.users.find((u) => u.serviceAccountClientId === 'authgate')!;
      realm.clients.push(
        { ...authgate, clientId: 'no-roles', secret: 'no-roles-secret' },
        { ...authgate, clientId: 'query-only', secret: 'query-only-secret' },
        { ...authgate, clientId: 'viewer', secret: 'viewer-secret' },
      );
      realm.users.push(
        { ...account, username: 'service-account-no-roles', serviceAccountClientId: 'no-roles', clientRoles: {} },
        {
          ...account,
          username: 'service-account-query-only',
          serviceAccountClientId: 'query-only',
          clientRoles: { 'realm-management': ['query-users'] },
        },
        {
          ...account,
          username: 'service-account-viewer',
          serviceAccountClientId: 'viewer',
          clientRoles: { 'realm-management': ['view-users'] },
        },
      );
      return realm;
    },
  });
});
afterAll(async () => {
  await idp.close();
});

async function serviceToken(client: Record<string, string> = CLIENT): Promise<string> {
  const res = await token(idp, { grant_type: 'client_credentials', ...client });
  expect(res.status).toBe(200);
  return String(res.body?.access_token);
}

async function users(
  query: string,
  authorization?: string,
  realm = 'demo',
): Promise<{ status: number; contentType: string | null; body: unknown; text: string }> {
  const res = await fetch(`${idp.url}/admin/realms/${realm}/users${query}`, {
    headers: authorization ? { authorization } : {},
  });
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get('content-type'), body: JSON.parse(text), text };
}

const JSON_UTF8 = 'application/json;charset=UTF-8';

const ALICE_BRIEF = {
  id: expect.any(String),
  username: 'alice',
  firstName: 'Alice',
  lastName: 'Liddell',
  email: 'alice@example.test',
  emailVerified: true,
  enabled: true,
  createdTimestamp: expect.any(Number),
  access: { manage: true },
};
// What Keycloak 26.7.3 answers, byte for byte, but for the id and the time (checked by hand against a real one).
const ALICE_BRIEF_TEXT =
  /^\[\{"id":"[\w-]+","username":"alice","firstName":"Alice","lastName":"Liddell","email":"alice@example.test","emailVerified":true,"enabled":true,"createdTimestamp":\d+,"access":\{"manage":true\}\}\]$/;

describe("the Admin API's user search (GET /admin/realms/{realm}/users)", () => {
  it('finds one user by exact email or username, whatever their case, as an array of UserRepresentation', async () => {
    const bearer = `Bearer ${await serviceToken()}`;
    const byEmail = await users('?email=ALICE%40Example.Test&exact=true&briefRepresentation=true', bearer);
    expect(byEmail).toEqual({
      status: 200,
      contentType: JSON_UTF8,
      body: [ALICE_BRIEF],
      text: expect.stringMatching(ALICE_BRIEF_TEXT),
    });
    const byName = await users('?username=Alice&exact=true', bearer);
    expect(byName.body).toEqual([
      { ...ALICE_BRIEF, totp: false, disableableCredentialTypes: [], requiredActions: [], notBefore: 0 },
    ]);
    // The id is the token's sub: the same account whichever way it is found.
    const alice = await login(idp, 'alice', 'alice-password');
    const sub = JSON.parse(
      Buffer.from(String(alice.body?.access_token).split('.')[1] ?? '', 'base64url').toString(),
    ) as { sub: string };
    expect((byEmail.body as { id: string }[])[0]?.id).toBe(sub.sub);
  });

  it('answers an empty array when nobody matches exactly, and substring matches without exact', async () => {
    const bearer = `Bearer ${await serviceToken()}`;
    expect((await users('?email=alice%40example&exact=true', bearer)).body).toEqual([]);
    expect((await users('?email=nobody%40example.test&exact=true', bearer)).body).toEqual([]);
    const partial = (await users('?email=example.test&briefRepresentation=true', bearer)).body as {
      username: string;
    }[];
    expect(partial.map((u) => u.username)).toEqual(['admin', 'alice', 'bob', 'carol']);
    const searched = (await users('?search=ali&max=5', bearer)).body as { username: string }[];
    expect(searched.map((u) => u.username)).toEqual(['alice']);
    const paged = (await users('?first=1&max=2', bearer)).body as { username: string }[];
    expect(paged.map((u) => u.username)).toEqual(['alice', 'bob']);
  });

  it.each([
    ['no Authorization header', undefined],
    ['a token that is not one', 'Bearer not-a-token'],
    ['Basic client credentials', `Basic ${Buffer.from('authgate:authgate-dev-secret').toString('base64')}`],
  ])("refuses %s with 401 and Keycloak's body", async (_case, authorization) => {
    expect(await users('?email=alice%40example.test&exact=true', authorization)).toMatchObject({
      status: 401,
      contentType: 'application/json',
      body: { error: 'HTTP 401 Unauthorized' },
    });
  });

  it('refuses an expired token with 401', async () => {
    const bearer = `Bearer ${await serviceToken()}`;
    clock.advanceSeconds(301);
    expect((await users('?username=alice&exact=true', bearer)).status).toBe(401);
  });

  it("refuses a service account without realm-management roles with 403, and a user's own token too", async () => {
    const noRoles = await users(
      '?username=alice&exact=true',
      `Bearer ${await serviceToken({ client_id: 'no-roles', client_secret: 'no-roles-secret' })}`,
    );
    expect(noRoles).toMatchObject({
      status: 403,
      contentType: 'application/json',
      body: { error: 'HTTP 403 Forbidden' },
    });
    const alice = await login(idp, 'alice', 'alice-password');
    expect((await users('?username=alice&exact=true', `Bearer ${String(alice.body?.access_token)}`)).status).toBe(403);
  });

  it('lets query-users search but see nobody, and view-users see users without the right to manage them', async () => {
    const queryOnly = await users(
      '?username=alice&exact=true',
      `Bearer ${await serviceToken({ client_id: 'query-only', client_secret: 'query-only-secret' })}`,
    );
    expect(queryOnly).toMatchObject({ status: 200, contentType: JSON_UTF8, body: [] });
    const viewer = await users(
      '?username=alice&exact=true&briefRepresentation=true',
      `Bearer ${await serviceToken({ client_id: 'viewer', client_secret: 'viewer-secret' })}`,
    );
    expect(viewer.body).toEqual([{ ...ALICE_BRIEF, access: { manage: false } }]);
  });

  it('lists service accounts only when a field is searched, as Keycloak does', async () => {
    const bearer = `Bearer ${await serviceToken()}`;
    const all = (await users('', bearer)).body as { username: string }[];
    expect(all.map((u) => u.username)).not.toContain('service-account-authgate');
    const named = (await users('?username=service-account-authgate&exact=true', bearer)).body as Record<
      string,
      unknown
    >[];
    expect(named).toEqual([expect.objectContaining({ username: 'service-account-authgate', enabled: true })]);
  });

  it('answers 404 for another realm, once the token is good', async () => {
    expect(await users('?username=alice', `Bearer ${await serviceToken()}`, 'other')).toMatchObject({
      status: 404,
      contentType: 'application/json',
      body: { error: 'Realm not found.' },
    });
  });
});

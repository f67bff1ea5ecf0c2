import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadRealmFile } from '../../src/dev-idp/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dev-idp-realm-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function load(content: unknown) {
  const path = join(dir, `realm-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  return { path, load: () => loadRealmFile(path) };
}

describe('loading a realm file', () => {
  it("fills in Keycloak's defaults for missing fields and ignores fields it does not know", async () => {
    const file = await load({
      realm: 'tiny',
      id: 'ignored',
      smtpServer: { host: 'x' },
      clients: [{ clientId: 'app', protocolMappers: [] }],
      users: [{ username: 'Zoe', credentials: [{ value: 'pw' }], attributes: { a: ['b'] } }],
    });
    const realm = await file.load();
    expect(realm).toEqual({
      realm: 'tiny',
      enabled: false,
      loginWithEmailAllowed: true,
      registrationEmailAsUsername: false,
      duplicateEmailsAllowed: false,
      accessTokenLifespan: 300,
      ssoSessionIdleTimeout: 1800,
      ssoSessionMaxLifespan: 36000,
      offlineSessionIdleTimeout: 2592000,
      offlineSessionMaxLifespanEnabled: false,
      offlineSessionMaxLifespan: 5184000,
      revokeRefreshToken: false,
      refreshTokenMaxReuse: 0,
      roles: { realm: [] },
      clients: [
        {
          clientId: 'app',
          enabled: true,
          publicClient: false,
          bearerOnly: false,
          standardFlowEnabled: true,
          directAccessGrantsEnabled: false,
          serviceAccountsEnabled: false,
          redirectUris: [],
          webOrigins: [],
          attributes: {},
        },
      ],
      users: [
        {
          username: 'Zoe',
          emailVerified: false,
          enabled: false,
          requiredActions: [],
          credentials: [{ type: 'password', value: 'pw', temporary: false }],
          realmRoles: [],
          clientRoles: {},
        },
      ],
    });
  });

  it('names the field that is wrong', async () => {
    const bad = await load({
      realm: 'demo',
      accessTokenLifespan: 'long',
      users: [{ username: 'a' }, { email: 'x@example.test' }],
    });
    await expect(bad.load()).rejects.toThrow(
      `invalid realm file ${bad.path}: accessTokenLifespan: Invalid input: expected number, received string; users[1].username: Invalid input: expected string, received undefined`,
    );
  });

  it('refuses a file that is not JSON, and duplicate usernames', async () => {
    const notJson = await load('{"realm": ');
    await expect(notJson.load()).rejects.toThrow(`invalid realm file ${notJson.path}: not JSON`);
    const dupes = await load({ realm: 'demo', users: [{ username: 'ann' }, { username: 'Ann' }] });
    await expect(dupes.load()).rejects.toThrow('users[1].username: duplicate username "Ann"');
  });
});

import { beforeAll, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadRealmFile, type Realm } from '../../src/dev-idp/index.js';
import { RealmModel } from '../../src/dev-idp/realm-model.js';
import { clientScopesOf } from '../../src/dev-idp/scopes.js';
import { projectRoot } from '../../src/support/project-root.js';
import { KeycloakTestAdmin } from './admin-api.js';
import { keycloakUnderTest } from './tier.js';

/*
 * keycloak-realm.json imports cleanly into the Keycloak under test (the tier imports it at start as realm "demo"), and
 * Keycloak holds what the embedded IdP reads from the same file: every realm, client and user setting the embedded IdP
 * acts on, the defaults it assumes for the fields the file leaves out, and the roles each user holds (exactly those
 * listed: an import hands out no default roles).
 */
const SUITE = 'the demo realm as Keycloak imported it';
const KEYCLOAK_URL = keycloakUnderTest(SUITE);
const suite = KEYCLOAK_URL ? describe : describe.skip;

type Json = Record<string, unknown>;
const sorted = (list: readonly string[] | undefined) => [...(list ?? [])].sort();

suite(`${SUITE} at ${KEYCLOAK_URL ?? '(none)'}`, () => {
  const admin = new KeycloakTestAdmin(KEYCLOAK_URL ?? '');
  const base = '/admin/realms/demo';
  let file: Json;
  let realm: Realm;

  beforeAll(async () => {
    file = JSON.parse(await readFile(join(projectRoot(), 'keycloak-realm.json'), 'utf8')) as Json;
    realm = await loadRealmFile(join(projectRoot(), 'keycloak-realm.json'));
  });

  it("holds every realm setting of the file, and the embedded IdP's defaults for the ones it leaves out", async () => {
    const imported = await admin.call<Json>('GET', base);
    const scalars = Object.entries(file).filter(([, value]) => value === null || typeof value !== 'object');
    expect(Object.fromEntries(scalars.map(([name]) => [name, imported[name]]))).toEqual(Object.fromEntries(scalars));
    const { roles: _roles, clients: _clients, users: _users, ...settings } = realm;
    expect(Object.fromEntries(Object.keys(settings).map((name) => [name, imported[name]]))).toEqual(settings);
  });

  it('holds the realm roles of the file', async () => {
    const roles = await admin.call<{ name: string; description?: string }[]>('GET', `${base}/roles`);
    for (const role of realm.roles.realm)
      expect(roles).toContainEqual(expect.objectContaining({ name: role.name, description: role.description }));
  });

  it('holds each client as the file describes it, with the client scopes the embedded IdP assumes', async () => {
    for (const client of realm.clients) {
      const [imported] = await admin.call<Json[]>(
        'GET',
        `${base}/clients?clientId=${encodeURIComponent(client.clientId)}`,
      );
      const {
        attributes,
        defaultClientScopes: _d,
        optionalClientScopes: _o,
        redirectUris,
        webOrigins,
        ...flags
      } = client;
      expect(imported).toMatchObject({
        ...flags,
        redirectUris,
        webOrigins,
        attributes: expect.objectContaining(attributes),
      });
      const { defaults, optional } = clientScopesOf(client);
      expect({
        defaults: sorted(imported?.defaultClientScopes as string[]),
        optional: sorted(imported?.optionalClientScopes as string[]),
      }).toEqual({
        defaults: sorted(defaults),
        optional: sorted(optional),
      });
    }
  });

  it('holds each user with the profile, state and required actions the embedded IdP reads, and exactly the roles the file lists', async () => {
    const model = new RealmModel(realm);
    const management = await admin.call<Json[]>('GET', `${base}/clients?clientId=realm-management`);
    for (const user of model.users) {
      const [found] = await admin.call<Json[]>(
        'GET',
        `${base}/users?username=${encodeURIComponent(user.username)}&exact=true`,
      );
      const id = String(found?.id);
      const full = await admin.call<Json>('GET', `${base}/users/${id}`);
      expect({
        username: full.username,
        email: full.email,
        firstName: full.firstName,
        lastName: full.lastName,
        enabled: full.enabled,
        emailVerified: full.emailVerified,
        requiredActions: full.requiredActions,
      }).toEqual({
        username: user.username,
        email: user.email,
        firstName: user.firstName,
        lastName: user.lastName,
        enabled: user.enabled,
        emailVerified: user.emailVerified,
        requiredActions: [...user.requiredActions],
      });
      const realmRoles = await admin.call<{ name: string }[]>('GET', `${base}/users/${id}/role-mappings/realm`);
      const managementRoles = await admin.call<{ name: string }[]>(
        'GET',
        `${base}/users/${id}/role-mappings/clients/${String(management[0]?.id)}`,
      );
      expect({
        user: user.username,
        realm: sorted(realmRoles.map((r) => r.name)),
        management: sorted(managementRoles.map((r) => r.name)),
      }).toEqual({
        user: user.username,
        realm: sorted(user.realmRoles),
        management: sorted(user.clientRoles['realm-management']),
      });
    }
  });
});

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { projectRoot } from '../../src/support/project-root.js';

/*
 * What the Keycloak tier's tests ask of a real Keycloak's Admin REST API, as the master realm's bootstrap admin
 * (scripts/keycloak starts every Keycloak with admin/admin unless KEYCLOAK_ADMIN_USERNAME/_PASSWORD say otherwise).
 * Each suite that changes a realm imports its own copy of keycloak-realm.json under a name of its own, so suites never
 * see each other's users, sessions, lockouts or keys.
 */

type Json = Record<string, unknown>;

export class KeycloakTestAdmin {
  private token: { value: string; expiresAt: number } | undefined;

  constructor(
    readonly url: string,
    private readonly credentials = {
      username: process.env.KEYCLOAK_ADMIN_USERNAME ?? 'admin',
      password: process.env.KEYCLOAK_ADMIN_PASSWORD ?? 'admin',
    },
  ) {}

  /** Imports keycloak-realm.json as realm `name` (its users, clients, roles and settings), changed by `patch`. */
  async importDemoRealm(name: string, patch: Json = {}): Promise<AdminRealm> {
    const demo = JSON.parse(await readFile(join(projectRoot(), 'keycloak-realm.json'), 'utf8')) as Json;
    await this.call('POST', '/admin/realms', { ...demo, ...patch, realm: name, id: name });
    return this.realm(name);
  }

  realm(name: string): AdminRealm {
    return new AdminRealm(this, name);
  }

  async deleteRealm(name: string): Promise<void> {
    await this.call('DELETE', `/admin/realms/${encodeURIComponent(name)}`, undefined, [204, 404]);
  }

  /** One Admin API call; throws with Keycloak's answer when the status is not one of `expected`. */
  async call<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    expected: number[] = [200, 201, 204],
  ): Promise<T> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await this.accessToken()}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!expected.includes(res.status))
      throw new Error(`${method} ${path}: Keycloak answered ${res.status} ${text.slice(0, 500)}`);
    const location = res.headers.get('location');
    if (res.status === 201 && location && text === '') return location.slice(location.lastIndexOf('/') + 1) as T;
    return (text ? JSON.parse(text) : undefined) as T;
  }

  private async accessToken(): Promise<string> {
    if (this.token && this.token.expiresAt > Date.now() + 5_000) return this.token.value;
    const res = await fetch(`${this.url}/realms/master/protocol/openid-connect/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'password', client_id: 'admin-cli', ...this.credentials }),
    });
    if (res.status !== 200) throw new Error(`the master admin could not log in: ${res.status} ${await res.text()}`);
    const { access_token, expires_in } = (await res.json()) as { access_token: string; expires_in: number };
    this.token = { value: access_token, expiresAt: Date.now() + expires_in * 1000 };
    return access_token;
  }
}

export interface RealmKey {
  kid: string;
  algorithm: string;
  type: string;
  status: string;
  use: string;
  providerId: string;
  providerPriority: number;
}

/** One realm's part of the Admin API. */
export class AdminRealm {
  private readonly base: string;

  constructor(
    private readonly admin: KeycloakTestAdmin,
    readonly name: string,
  ) {
    this.base = `/admin/realms/${encodeURIComponent(name)}`;
  }

  /** The realm's base URL for a gateway's KEYCLOAK_URL + KEYCLOAK_REALM. */
  get issuer(): string {
    return `${this.admin.url}/realms/${this.name}`;
  }

  async update(patch: Json): Promise<void> {
    await this.admin.call('PUT', this.base, patch);
  }

  /** Creates a user (enabled, profile complete, password set) and answers its id. */
  async createUser(username: string, password: string, extra: Json = {}): Promise<string> {
    return this.admin.call<string>('POST', `${this.base}/users`, {
      username,
      email: `${username}@example.test`,
      firstName: 'Test',
      lastName: 'User',
      enabled: true,
      emailVerified: true,
      credentials: [{ type: 'password', value: password, temporary: false }],
      ...extra,
    });
  }

  async userId(username: string): Promise<string> {
    const found = await this.admin.call<{ id: string }[]>(
      'GET',
      `${this.base}/users?username=${encodeURIComponent(username)}&exact=true`,
    );
    if (!found[0]) throw new Error(`no user ${username} in realm ${this.name}`);
    return found[0].id;
  }

  async updateUser(username: string, patch: Json): Promise<void> {
    const id = await this.userId(username);
    const current = await this.admin.call<Json>('GET', `${this.base}/users/${id}`);
    await this.admin.call('PUT', `${this.base}/users/${id}`, { ...current, ...patch });
  }

  /** Ends every session of the user, as an administrator's "Sign out" does. */
  async logoutUser(username: string): Promise<void> {
    await this.admin.call('POST', `${this.base}/users/${await this.userId(username)}/logout`);
  }

  async userSessions(username: string): Promise<{ id: string; clients: Record<string, string> }[]> {
    return this.admin.call('GET', `${this.base}/users/${await this.userId(username)}/sessions`);
  }

  async offlineSessions(username: string, clientId = 'authgate'): Promise<{ id: string }[]> {
    const client = await this.client(clientId);
    return this.admin.call('GET', `${this.base}/users/${await this.userId(username)}/offline-sessions/${client.id}`);
  }

  /** How many offline sessions the client has in the realm, as the admin console's Sessions tab counts them. */
  async offlineSessionCount(clientId = 'authgate'): Promise<number> {
    const client = await this.client(clientId);
    const { count } = await this.admin.call<{ count: number }>(
      'GET',
      `${this.base}/clients/${client.id}/offline-session-count`,
    );
    return count;
  }

  /** Revokes the user's consent to the client, as the account console does: its offline tokens die with it. */
  async revokeConsent(username: string, clientId = 'authgate'): Promise<void> {
    const path = `${this.base}/users/${await this.userId(username)}/consents/${encodeURIComponent(clientId)}`;
    await this.admin.call('DELETE', path);
  }

  async client(clientId: string): Promise<Json & { id: string }> {
    const found = await this.admin.call<(Json & { id: string })[]>(
      'GET',
      `${this.base}/clients?clientId=${encodeURIComponent(clientId)}`,
    );
    if (!found[0]) throw new Error(`no client ${clientId} in realm ${this.name}`);
    return found[0];
  }

  async updateClient(clientId: string, patch: Json): Promise<void> {
    const current = await this.client(clientId);
    await this.admin.call('PUT', `${this.base}/clients/${current.id}`, { ...current, ...patch });
  }

  /** Creates a confidential client with password logins on (as the demo realm's authgate), changed by `patch`. */
  async createClient(clientId: string, patch: Json = {}): Promise<string> {
    return this.admin.call<string>('POST', `${this.base}/clients`, {
      clientId,
      enabled: true,
      protocol: 'openid-connect',
      publicClient: false,
      clientAuthenticatorType: 'client-secret',
      secret: 'authgate-dev-secret',
      standardFlowEnabled: false,
      directAccessGrantsEnabled: true,
      ...patch,
    });
  }

  /** Takes every realm role from the user, the realm's default roles (and so offline_access) included. */
  async removeRealmRoles(username: string): Promise<void> {
    const path = `${this.base}/users/${await this.userId(username)}/role-mappings/realm`;
    await this.admin.call('DELETE', path, await this.admin.call('GET', path));
  }

  /** Adds an RSA signing key (`rsa-generated`) with the given priority; the highest priority signs. Answers its id. */
  async addRsaKey(name: string, priority: number): Promise<string> {
    const realm = await this.admin.call<{ id: string }>('GET', this.base);
    return this.admin.call<string>('POST', `${this.base}/components`, {
      name,
      providerId: 'rsa-generated',
      providerType: 'org.keycloak.keys.KeyProvider',
      parentId: realm.id,
      config: {
        priority: [String(priority)],
        enabled: ['true'],
        active: ['true'],
        algorithm: ['RS256'],
        keySize: ['2048'],
      },
    });
  }

  /** The realm's keys as Keycloak lists them; `providerId` is the id of the key provider (component) holding the key. */
  async keys(): Promise<RealmKey[]> {
    const { keys } = await this.admin.call<{ keys: RealmKey[] }>('GET', `${this.base}/keys`);
    return keys;
  }

  async deleteComponent(id: string): Promise<void> {
    await this.admin.call('DELETE', `${this.base}/components/${id}`);
  }
}

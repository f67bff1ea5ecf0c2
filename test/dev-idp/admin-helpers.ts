import { expect } from '@jest/globals';
import type { DevIdp } from '../../src/dev-idp/index.js';
import type { Realm } from '../../src/dev-idp/index.js';
import { bodyText } from '../support/http-bodies.js';
import { CLIENT, token } from './helpers.js';

export interface AdminReply {
  readonly status: number;
  /** The headers Keycloak's answers are compared on; absent ones are null. */
  readonly headers: { location: string | null; contentType: string | null; cacheControl: string | null };
  readonly body: unknown;
}

/** A client-credentials access token of `client` (default: the gateway's client, which holds manage-users). */
export async function serviceToken(idp: DevIdp, client: Record<string, string> = CLIENT): Promise<string> {
  const res = await token(idp, { grant_type: 'client_credentials', ...client });
  expect(res.status).toBe(200);
  return String(res.body?.access_token);
}

/** One raw Admin API request below `/admin/realms/<realm>`; `body` is sent as it is (a string) or as JSON. */
export async function admin(
  idp: DevIdp,
  method: string,
  path: string,
  options: { bearer?: string; body?: unknown; contentType?: string; realm?: string } = {},
): Promise<AdminReply> {
  const headers: Record<string, string> = {};
  if (options.bearer !== undefined) headers.authorization = `Bearer ${options.bearer}`;
  if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  const body = bodyText(options.body);
  const res = await fetch(`${idp.url}/admin/realms/${options.realm ?? idp.realmName}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: {
      location: res.headers.get('location'),
      contentType: res.headers.get('content-type'),
      cacheControl: res.headers.get('cache-control'),
    },
    body: text === '' ? undefined : (JSON.parse(text) as unknown),
  };
}

/** A new user's representation as the gateway sends it: enabled, with a non-temporary password. */
export function newUser(
  username: string,
  password: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    username,
    email: `${username}@example.test`,
    firstName: 'New',
    lastName: 'Person',
    enabled: true,
    credentials: [{ type: 'password', value: password, temporary: false }],
    ...extra,
  };
}

/** Keycloak's 4xx: its error handler's plain JSON, no cache header. */
export const errorHeaders = { location: null, contentType: 'application/json', cacheControl: null };

/** Adds confidential clients whose service accounts hold exactly the given realm-management roles. */
export function withRoleClients(realm: Realm, clients: Record<string, readonly string[]>): Realm {
  const authgate = realm.clients[0]!;
  for (const [clientId, roles] of Object.entries(clients)) {
    realm.clients.push({ ...authgate, clientId, secret: `${clientId}-secret` });
    realm.users.push({
      username: `service-account-${clientId}`,
      enabled: true,
      emailVerified: false,
      requiredActions: [],
      credentials: [],
      realmRoles: [],
      serviceAccountClientId: clientId,
      clientRoles: roles.length > 0 ? { 'realm-management': [...roles] } : {},
    });
  }
  return realm;
}

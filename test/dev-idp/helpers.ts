import { decodeJwt, decodeProtectedHeader } from 'jose';
import type { DevIdp, Realm } from '../../src/dev-idp/index.js';
import { readReply, type Reply } from '../support/http-bodies.js';

export const CLIENT = { client_id: 'authgate', client_secret: 'authgate-dev-secret' } as const;
export const OIDC = '/protocol/openid-connect';

// The shared fixtures, so that this suite and the gateway's start the IdP the same way.
export { demoRealm, startTestIdp } from '../support/idp.js';
export { MovableClock } from '../support/clock.js';
export { captureLogs } from '../support/logs.js';
export type { Reply } from '../support/http-bodies.js';

export async function post(
  idp: DevIdp,
  path: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Reply> {
  return readReply(await fetch(`${idp.issuer}${path}`, { method: 'POST', body: new URLSearchParams(form), headers }));
}

export const token = (idp: DevIdp, form: Record<string, string>, headers: Record<string, string> = {}) =>
  post(idp, `${OIDC}/token`, form, headers);

export const login = (idp: DevIdp, username: string, password: string, extra: Record<string, string> = {}) =>
  token(idp, { grant_type: 'password', ...CLIENT, username, password, ...extra });

export const refresh = (idp: DevIdp, refreshToken: unknown, extra: Record<string, string> = {}) =>
  token(idp, { grant_type: 'refresh_token', ...CLIENT, refresh_token: String(refreshToken), ...extra });

export const logout = (idp: DevIdp, refreshToken: unknown, client: Record<string, string> = CLIENT) =>
  post(idp, `${OIDC}/logout`, { ...client, refresh_token: String(refreshToken) });

export function claims(jwt: unknown): Record<string, unknown> {
  return decodeJwt(String(jwt));
}

export function header(jwt: unknown): Record<string, unknown> {
  return decodeProtectedHeader(String(jwt));
}

export function oauthError(error: string, description: string): { error: string; error_description: string } {
  return { error, error_description: description };
}

/** A realm change adding a second confidential client with direct grants. */
export function withOtherClient(realm: Realm): Realm {
  realm.clients.push({
    ...realm.clients[0]!,
    clientId: 'other',
    secret: 'other-secret',
    serviceAccountsEnabled: false,
  });
  return realm;
}

import type { ServerResponse } from 'node:http';
import { checkAccessToken } from './access-token-check.js';
import type { IdpContext } from './context.js';
import { effectiveRoles } from './roles.js';

/** One answer of the Admin API: a status, a JSON body or none, and headers of its own (Location). */
export interface AdminAnswer {
  readonly status: number;
  readonly json?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

// Keycloak's KeycloakErrorHandler answers the JAX-RS exception's message as `error`: NotAuthorizedException for a
// missing or bad token, ForbiddenException for a missing role, NotFoundException for an unknown realm (as Keycloak
// 26.7.3 answers; 21-23 answered a missing role with {"error":"unknown_error"}).
export const UNAUTHORIZED: AdminAnswer = { status: 401, json: { error: 'HTTP 401 Unauthorized' } };
export const FORBIDDEN: AdminAnswer = { status: 403, json: { error: 'HTTP 403 Forbidden' } };
export const REALM_NOT_FOUND: AdminAnswer = { status: 404, json: { error: 'Realm not found.' } };
export const USER_NOT_FOUND: AdminAnswer = { status: 404, json: { error: 'User not found' } };
export const METHOD_NOT_ALLOWED: AdminAnswer = { status: 405, json: { error: 'HTTP 405 Method Not Allowed' } };

/** What a caller may do with users, as Keycloak's UserPermissionEvaluator reads the realm-management roles. */
export interface UserAccess {
  readonly query: boolean;
  readonly view: boolean;
  readonly manage: boolean;
}

export type AdminCaller =
  { readonly ok: true; readonly access: UserAccess } | { readonly ok: false; readonly answer: AdminAnswer };

/**
 * Keycloak's AdminRoot in its order: a bearer access token of this realm (401), then the realm in the path (404).
 * manage-users implies view, view-users (or manage) implies query.
 */
export async function adminCaller(
  ctx: IdpContext,
  realmSegment: string,
  authorization: string | undefined,
): Promise<AdminCaller> {
  const token = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] : undefined;
  const check = token === undefined ? undefined : await checkAccessToken(ctx, token);
  if (!check?.ok) return { ok: false, answer: UNAUTHORIZED };
  if (safeDecode(realmSegment) !== ctx.realm.name) return { ok: false, answer: REALM_NOT_FOUND };
  const roles = effectiveRoles(ctx.realm.name, check.user).clients['realm-management'] ?? [];
  const manage = roles.includes('manage-users');
  const view = manage || roles.includes('view-users');
  return { ok: true, access: { manage, view, query: view || roles.includes('query-users') } };
}

/**
 * Writes an Admin API answer with Keycloak's headers: RESTEasy adds the charset and no-cache to a resource's own JSON,
 * not to the error handler's; a 201 carries only its Location, a 204 only no-cache.
 */
export function sendAdmin(res: ServerResponse, answer: AdminAnswer): void {
  const headers: Record<string, string> = { ...answer.headers };
  if (answer.json !== undefined) {
    headers['Content-Type'] = answer.status === 200 ? 'application/json;charset=UTF-8' : 'application/json';
    if (answer.status === 200) headers['Cache-Control'] = 'no-cache';
  } else if (answer.status === 204) headers['Cache-Control'] = 'no-cache';
  res.writeHead(answer.status, headers);
  res.end(answer.json === undefined ? undefined : JSON.stringify(answer.json));
}

export function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return '';
  }
}

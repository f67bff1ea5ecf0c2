import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkAccessToken } from './access-token-check.js';
import type { IdpContext } from './context.js';
import type { User } from './realm-model.js';
import { effectiveRoles } from './roles.js';

interface AdminAnswer {
  readonly status: number;
  readonly json: unknown;
}

// Keycloak's KeycloakErrorHandler answers the JAX-RS exception's message as `error`: NotAuthorizedException for a
// missing or bad token, ForbiddenException for a missing role, NotFoundException for an unknown realm (as Keycloak
// 26.7.3 answers; 21-23 answered a missing role with {"error":"unknown_error"}).
const UNAUTHORIZED: AdminAnswer = { status: 401, json: { error: 'HTTP 401 Unauthorized' } };
const FORBIDDEN: AdminAnswer = { status: 403, json: { error: 'HTTP 403 Forbidden' } };
const REALM_NOT_FOUND: AdminAnswer = { status: 404, json: { error: 'Realm not found.' } };
// Constants.DEFAULT_MAX_RESULTS
const DEFAULT_MAX = 100;
const FILTERS = ['username', 'email', 'firstName', 'lastName'] as const;

/**
 * Keycloak's Admin API user search, `GET /admin/realms/{realm}/users` (UsersResource.getUsers), as far as the gateway
 * uses it: a bearer access token of this realm (a client-credentials token of a client whose service account holds
 * realm-management roles); `username`, `email`, `firstName`, `lastName` (substring, or whole value with `exact=true`,
 * case-insensitive), `search` (whitespace-separated terms, each in one of those fields), `first`, `max`,
 * `briefRepresentation`. Roles as Keycloak's permission evaluator reads them: query-users lets the search run,
 * view-users (or manage-users) lets it see the users; query-users alone finds nobody.
 */
export function adminUsersRoute(
  ctx: IdpContext,
): (req: IncomingMessage, res: ServerResponse, path: string) => Promise<boolean> {
  // Imported users carry no creation time: Keycloak stamps them at import, here at start.
  const createdTimestamp = ctx.sessions.now() * 1000;
  return async (req, res, path) => {
    const match = /^\/admin\/realms\/([^/]+)\/users$/.exec(path);
    if (!match?.[1] || req.method !== 'GET') return false;
    const query = new URL(req.url ?? '/', 'http://dev-idp').searchParams;
    const answer = await searchUsers(ctx, safeDecode(match[1]), query, req.headers.authorization, createdTimestamp);
    // RESTEasy adds the charset to a resource's own answer, not to the error handler's.
    const headers =
      answer.status === 200
        ? { 'Content-Type': 'application/json;charset=UTF-8', 'Cache-Control': 'no-cache' }
        : { 'Content-Type': 'application/json' };
    res.writeHead(answer.status, headers);
    res.end(JSON.stringify(answer.json));
    return true;
  };
}

async function searchUsers(
  ctx: IdpContext,
  realmName: string,
  query: URLSearchParams,
  authorization: string | undefined,
  createdTimestamp: number,
): Promise<AdminAnswer> {
  const token = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] : undefined;
  const check = token === undefined ? undefined : await checkAccessToken(ctx, token);
  if (!check?.ok) return UNAUTHORIZED;
  if (realmName !== ctx.realm.name) return REALM_NOT_FOUND;
  const roles = effectiveRoles(ctx.realm.name, check.user).clients['realm-management'] ?? [];
  const manage = roles.includes('manage-users');
  const view = manage || roles.includes('view-users');
  if (!view && !roles.includes('query-users')) return FORBIDDEN;
  if (!view) return { status: 200, json: [] };

  const exact = query.get('exact')?.toLowerCase() === 'true';
  const found = matchingUsers(ctx.realm.users, query, exact).sort((a, b) => a.username.localeCompare(b.username));
  const first = wholeNumber(query.get('first')) ?? 0;
  const max = wholeNumber(query.get('max')) ?? DEFAULT_MAX;
  const brief = query.get('briefRepresentation')?.toLowerCase() === 'true';
  return {
    status: 200,
    json: found.slice(first, first + max).map((user) => representation(user, brief, manage, createdTimestamp)),
  };
}

function matchingUsers(users: readonly User[], query: URLSearchParams, exact: boolean): User[] {
  const matches = (value: string | undefined, wanted: string) => {
    const have = value?.toLowerCase();
    return have !== undefined && (exact ? have === wanted.toLowerCase() : have.includes(wanted.toLowerCase()));
  };
  const search = query.get('search');
  if (search !== null) {
    const terms = search.trim().split(/\s+/).filter(Boolean);
    return users.filter(
      (u) =>
        u.serviceAccountClientId === undefined &&
        terms.every((term) => [u.username, u.email, u.firstName, u.lastName].some((v) => matches(v, term))),
    );
  }
  const filters = FILTERS.flatMap((name) => {
    const wanted = query.get(name);
    return wanted === null ? [] : [[name, wanted] as const];
  });
  // Keycloak lists service accounts only when a field is searched (UsersResource.searchForUser).
  if (filters.length === 0) return users.filter((u) => u.serviceAccountClientId === undefined);
  return users.filter((u) => filters.every(([name, wanted]) => matches(u[name], wanted)));
}

/**
 * A UserRepresentation as Keycloak 26.7.3 lists it, in its field order; absent values are left out, as its JSON mapper
 * does. Listings carry only the `manage` access (older releases listed view, mapRoles and the rest too).
 */
function representation(
  user: User,
  brief: boolean,
  manage: boolean,
  createdTimestamp: number,
): Record<string, unknown> {
  return {
    id: user.id,
    username: user.username,
    ...(user.firstName === undefined ? {} : { firstName: user.firstName }),
    ...(user.lastName === undefined ? {} : { lastName: user.lastName }),
    ...(user.email === undefined ? {} : { email: user.email }),
    emailVerified: user.emailVerified,
    enabled: user.enabled,
    createdTimestamp,
    ...(brief
      ? {}
      : { totp: false, disableableCredentialTypes: [], requiredActions: [...user.requiredActions], notBefore: 0 }),
    access: { manage },
  };
}

function wholeNumber(value: string | null): number | undefined {
  if (value === null || !/^\d{1,9}$/.test(value)) return undefined;
  return Number(value);
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return '';
  }
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  adminCaller,
  FORBIDDEN,
  METHOD_NOT_ALLOWED,
  safeDecode,
  sendAdmin,
  USER_NOT_FOUND,
  type AdminAnswer,
  type UserAccess,
} from './admin-access.js';
import { createUser } from './admin-user-create.js';
import { userRepresentation } from './admin-user-representation.js';
import type { IdpContext } from './context.js';
import { readBody } from './form.js';
import { KeycloakError } from './keycloak-error.js';
import { parsePasswordPolicy } from './password-policy.js';
import type { User } from './realm-model.js';

// Constants.DEFAULT_MAX_RESULTS
const DEFAULT_MAX = 100;
const FILTERS = ['username', 'email', 'firstName', 'lastName'] as const;
const USERS = /^\/admin\/realms\/([^/]+)\/users(?:\/([^/]+))?$/;
const UNSUPPORTED_TYPE: AdminAnswer = {
  status: 415,
  json: { error: 'The content-type header value did not match the value in @Consumes' },
};

/**
 * The users of Keycloak's Admin API, as far as the gateway uses them. `GET /admin/realms/{realm}/users`
 * (UsersResource.getUsers): `username`, `email`, `firstName`, `lastName` (substring, or whole value with
 * `exact=true`, case-insensitive), `search` (whitespace-separated terms, each in one of those fields), `first`, `max`,
 * `briefRepresentation`. `POST .../users` creates one (admin-user-create.ts), `GET` and `DELETE .../users/{id}` read
 * and remove one. The caller holds a bearer access token of this realm (typically a client-credentials token of a
 * client whose service account holds realm-management roles), read as Keycloak's permission evaluator reads it:
 * query-users lets a search run, view-users (or manage-users) lets it see the users and read one, manage-users
 * lets it create and delete; query-users alone finds nobody.
 */
export function adminUsersRoute(
  ctx: IdpContext,
): (req: IncomingMessage, res: ServerResponse, path: string) => Promise<boolean> {
  // Imported users carry no creation time: Keycloak stamps them at import, here at start.
  const importedAt = ctx.sessions.now() * 1000;
  const policy = parsePasswordPolicy(ctx.realm.settings.passwordPolicy);
  return async (req, res, path) => {
    const match = USERS.exec(path);
    if (!match?.[1]) return false;
    const caller = await adminCaller(ctx, match[1], req.headers.authorization);
    let answer: AdminAnswer;
    if (!caller.ok) answer = caller.answer;
    else if (match[2] !== undefined) answer = oneUser(ctx, req.method, safeDecode(match[2]), caller.access, importedAt);
    else if (req.method === 'GET') {
      const query = new URL(req.url ?? '/', 'http://dev-idp').searchParams;
      answer = searchUsers(ctx, query, caller.access, importedAt);
    } else if (req.method === 'POST') {
      const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
      answer =
        type === 'application/json'
          ? await readJson(req).then(
              (body) => createUser(ctx, policy, caller.access, body, (id) => locationOf(req, ctx, `${path}/${id}`)),
              (error: unknown) => tooLarge(error),
            )
          : UNSUPPORTED_TYPE;
    } else answer = METHOD_NOT_ALLOWED;
    sendAdmin(res, answer);
    return true;
  };
}

async function readJson(req: IncomingMessage): Promise<string> {
  return (await readBody(req)).toString('utf8');
}

function tooLarge(error: unknown): AdminAnswer {
  if (error instanceof KeycloakError) return { status: error.status, json: error.body() };
  throw error;
}

/** Keycloak builds the Location from the request's own URL: the host the caller used. */
function locationOf(req: IncomingMessage, ctx: IdpContext, path: string): string {
  const host = req.headers.host;
  return host ? `http://${host}${path}` : `${new URL(ctx.issuer).origin}${path}`;
}

/**
 * `GET` / `DELETE /admin/realms/{realm}/users/{id}` (UsersResource.user, UserResource): an unknown id is 404 to a
 * caller that may query users and 403 to any other, "to make sure somebody can't phish ids"; a known one needs
 * view-users to read and manage-users to delete. Deleting ends the user's logins: its refresh tokens stop working.
 */
function oneUser(
  ctx: IdpContext,
  method: string | undefined,
  id: string,
  access: UserAccess,
  importedAt: number,
): AdminAnswer {
  const user = ctx.realm.userById(id);
  if (!user) return access.query ? USER_NOT_FOUND : FORBIDDEN;
  if (method === 'GET') {
    if (!access.view) return FORBIDDEN;
    return { status: 200, json: userRepresentation(user, { brief: false, single: true, access, importedAt }) };
  }
  if (method === 'DELETE') {
    if (!access.manage) return FORBIDDEN;
    ctx.realm.removeUser(user.id);
    return { status: 204 };
  }
  return METHOD_NOT_ALLOWED;
}

function searchUsers(ctx: IdpContext, query: URLSearchParams, access: UserAccess, importedAt: number): AdminAnswer {
  if (!access.query) return FORBIDDEN;
  if (!access.view) return { status: 200, json: [] };

  const exact = query.get('exact')?.toLowerCase() === 'true';
  const found = matchingUsers(ctx.realm.users, query, exact).sort((a, b) => a.username.localeCompare(b.username));
  const first = wholeNumber(query.get('first')) ?? 0;
  const max = wholeNumber(query.get('max')) ?? DEFAULT_MAX;
  const brief = query.get('briefRepresentation')?.toLowerCase() === 'true';
  return {
    status: 200,
    json: found
      .slice(first, first + max)
      .map((user) => userRepresentation(user, { brief, single: false, access, importedAt })),
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

function wholeNumber(value: string | null): number | undefined {
  if (value === null || !/^\d{1,9}$/.test(value)) return undefined;
  return Number(value);
}

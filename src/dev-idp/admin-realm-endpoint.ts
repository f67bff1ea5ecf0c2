import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkAccessToken } from './access-token-check.js';
import type { IdpContext } from './context.js';
import { effectiveRoles } from './roles.js';

/**
 * Keycloak's `GET /admin/realms/{realm}` (RealmAdminResource.getRealm), as far as the gateway reads it: the realm's
 * session lifetimes. As Keycloak does, a caller without view-realm (or manage-realm) gets only the realm's name, not
 * a 403; no token or a bad one is 401, an unknown realm 404.
 */
export function adminRealmRoute(
  ctx: IdpContext,
): (req: IncomingMessage, res: ServerResponse, path: string) => Promise<boolean> {
  return async (req, res, path) => {
    const match = /^\/admin\/realms\/([^/]+)$/.exec(path);
    if (!match?.[1] || req.method !== 'GET') return false;
    const { status, json } = await realmAnswer(ctx, match[1], req.headers.authorization);
    res.writeHead(
      status,
      status === 200 ? { 'Content-Type': 'application/json;charset=UTF-8' } : { 'Content-Type': 'application/json' },
    );
    res.end(JSON.stringify(json));
    return true;
  };
}

async function realmAnswer(
  ctx: IdpContext,
  segment: string,
  authorization: string | undefined,
): Promise<{ status: number; json: unknown }> {
  const token = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] : undefined;
  const check = token === undefined ? undefined : await checkAccessToken(ctx, token);
  if (!check?.ok) return { status: 401, json: { error: 'HTTP 401 Unauthorized' } };
  let name: string;
  try {
    name = decodeURIComponent(segment);
  } catch {
    name = '';
  }
  if (name !== ctx.realm.name) return { status: 404, json: { error: 'Realm not found.' } };
  const roles = effectiveRoles(ctx.realm.name, check.user).clients['realm-management'] ?? [];
  if (!roles.includes('view-realm') && !roles.includes('manage-realm')) {
    return { status: 200, json: { realm: name } };
  }
  const s = ctx.realm.settings;
  return {
    status: 200,
    json: {
      realm: name,
      enabled: s.enabled,
      accessTokenLifespan: s.accessTokenLifespan,
      ssoSessionIdleTimeout: s.ssoSessionIdleTimeout,
      ssoSessionMaxLifespan: s.ssoSessionMaxLifespan,
      offlineSessionIdleTimeout: s.offlineSessionIdleTimeout,
      offlineSessionMaxLifespanEnabled: s.offlineSessionMaxLifespanEnabled,
      offlineSessionMaxLifespan: s.offlineSessionMaxLifespan,
      revokeRefreshToken: s.revokeRefreshToken,
      refreshTokenMaxReuse: s.refreshTokenMaxReuse,
    },
  };
}

import type { JWTPayload } from 'jose';
import type { User } from '../contract/user.js';

/** Keycloak's access-token claims mapped onto the contract's user: the same fields whatever the provider version. */
export function userFromClaims(claims: JWTPayload): User {
  const realmAccess = claims.realm_access as { roles?: unknown } | undefined;
  const roles = Array.isArray(realmAccess?.roles)
    ? realmAccess.roles.filter((r): r is string => typeof r === 'string')
    : [];
  return {
    sub: String(claims.sub ?? ''),
    username: stringOr(claims.preferred_username, String(claims.sub ?? '')),
    email: stringOr(claims.email, null),
    name: stringOr(claims.name, null),
    roles,
  };
}

function stringOr<T>(value: unknown, fallback: T): string | T {
  return typeof value === 'string' && value.length > 0 ? value : fallback;
}

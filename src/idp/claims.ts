import type { JWTPayload } from 'jose';
import type { User } from '../contract/user.js';
import { claimAt } from './dialects.js';

/**
 * A provider's claims (an access token's, or userinfo's) mapped onto the contract's user: the same fields whatever the
 * provider. `rolesClaim` is the dialect's (or ROLES_CLAIM): Keycloak's `realm_access.roles`, `roles`, `groups`, ...
 */
export function userFromClaims(claims: JWTPayload, rolesClaim = 'realm_access.roles'): User {
  const found = claimAt(claims, rolesClaim);
  const roles = Array.isArray(found) ? found.filter((r): r is string => typeof r === 'string') : [];
  return {
    sub: String(claims.sub ?? ''),
    username: stringOr(claims.preferred_username, stringOr(claims.email, String(claims.sub ?? ''))),
    email: stringOr(claims.email, null),
    name: stringOr(claims.name, null),
    roles,
  };
}

function stringOr<T>(value: unknown, fallback: T): string | T {
  return typeof value === 'string' && value.length > 0 ? value : fallback;
}

import type { UserAccess } from './admin-access.js';
import type { User } from './realm-model.js';

/**
 * A UserRepresentation as Keycloak 26.7.3 answers it, in its field order; absent values are left out, as its JSON
 * mapper does. A listing carries only the `manage` access (older releases listed the rest too), a single user
 * (`GET /users/{id}`) the six flags of UserPermissionEvaluator.getAccess. Imported users are stamped with the IdP's
 * start, as Keycloak stamps them at import.
 */
export function userRepresentation(
  user: User,
  options: { brief: boolean; single: boolean; access: UserAccess; importedAt: number },
): Record<string, unknown> {
  const { manage, view } = options.access;
  return {
    id: user.id,
    username: user.username,
    ...(user.firstName === undefined ? {} : { firstName: user.firstName }),
    ...(user.lastName === undefined ? {} : { lastName: user.lastName }),
    ...(user.email === undefined ? {} : { email: user.email }),
    emailVerified: user.emailVerified,
    enabled: user.enabled,
    createdTimestamp: user.createdTimestamp ?? options.importedAt,
    ...(options.brief
      ? {}
      : { totp: false, disableableCredentialTypes: [], requiredActions: [...user.requiredActions], notBefore: 0 }),
    access: options.single
      ? { manageGroupMembership: manage, resetPassword: manage, view, mapRoles: manage, impersonate: false, manage }
      : { manage },
  };
}

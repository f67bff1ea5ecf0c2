import type { JWTPayload } from 'jose';
import type { RealmClient } from './realm-file.js';
import type { User } from './realm-model.js';
import { effectiveRoles } from './roles.js';

/**
 * The role and audience claims of Keycloak's "roles" client scope (full scope allowed, as the demo client): the
 * user's effective roles, each claim left out when empty, as Keycloak leaves it out.
 */
export function roleClaims(realm: string, user: User, azp: string): JWTPayload {
  const roles = effectiveRoles(realm, user);
  const clientRoles = Object.fromEntries(
    Object.entries(roles.clients).map(([clientId, held]) => [clientId, { roles: [...held] }]),
  );
  // The audience resolve mapper: every client the user holds roles of, except the one the token is for.
  const audience = Object.keys(clientRoles).filter((clientId) => clientId !== azp);
  return {
    ...(audience.length === 1 ? { aud: audience[0] } : audience.length > 1 ? { aud: audience } : {}),
    ...(roles.realm.length > 0 ? { realm_access: { roles: [...roles.realm] } } : {}),
    ...(Object.keys(clientRoles).length > 0 ? { resource_access: clientRoles } : {}),
  };
}

/** Keycloak's web-origins scope: "+" stands for the origins of the client's redirect URIs. */
export function allowedOrigins(client: RealmClient): string[] {
  const origins = new Set<string>();
  for (const origin of client.webOrigins) {
    if (origin !== '+') {
      origins.add(origin);
      continue;
    }
    for (const uri of client.redirectUris) {
      try {
        origins.add(new URL(uri.replace(/\*$/, '')).origin);
      } catch {
        // a relative or pattern redirect URI has no origin
      }
    }
  }
  return [...origins];
}

/** The profile and email scopes' claims, in Keycloak's order; absent values are left out, as its mappers do. */
export function profileClaims(user: User): JWTPayload {
  const name = [user.firstName, user.lastName].filter(Boolean).join(' ');
  return {
    email_verified: user.emailVerified,
    ...(name ? { name } : {}),
    preferred_username: user.username,
    ...(user.firstName ? { given_name: user.firstName } : {}),
    ...(user.lastName ? { family_name: user.lastName } : {}),
    ...(user.email ? { email: user.email } : {}),
  };
}

/**
 * What the optional client scopes a realm is created with add when granted: microprofile-jwt the user's name as `upn`
 * and its realm roles as `groups`; address, phone and organization nothing for the realm file's users (no address or
 * phone attributes, no organizations).
 */
export function optionalScopeClaims(realm: string, user: User, fullScope: string): JWTPayload {
  if (!fullScope.split(' ').includes('microprofile-jwt')) return {};
  return { upn: user.username, groups: [...effectiveRoles(realm, user).realm] };
}

/**
 * The claims of the service-account mappers Keycloak gives a client when it creates the client's service-account user
 * itself; a service-account user the realm file brings comes without them (as Keycloak 26.7.3 imports it).
 */
export function serviceAccountClaims(user: User, client: RealmClient, remoteAddress: string): JWTPayload {
  return user.serviceAccountMappers
    ? { client_id: client.clientId, clientHost: remoteAddress, clientAddress: remoteAddress }
    : {};
}

import type { JWTPayload } from 'jose';
import type { RealmClient } from './realm-file.js';
import type { User } from './realm-model.js';

// What Keycloak's default roles composite (default-roles-<realm>) hands every user, service accounts included.
const DEFAULT_REALM_ROLES = ['offline_access', 'uma_authorization'];
const DEFAULT_ACCOUNT_ROLES = ['manage-account', 'manage-account-links', 'view-profile'];

/** The role and audience claims of Keycloak's "roles" client scope (full scope allowed, as the demo client). */
export function roleClaims(realm: string, user: User, azp: string): JWTPayload {
  const realmRoles = [...new Set([`default-roles-${realm}`, ...DEFAULT_REALM_ROLES, ...user.realmRoles])];
  const clientRoles: Record<string, { roles: string[] }> = {};
  for (const [clientId, roles] of Object.entries(user.clientRoles)) {
    if (roles.length > 0) clientRoles[clientId] = { roles: [...roles] };
  }
  const account = new Set([...(clientRoles.account?.roles ?? []), ...DEFAULT_ACCOUNT_ROLES]);
  clientRoles.account = { roles: [...account] };
  // The audience resolve mapper: every client the user holds roles of, except the one the token is for.
  const audience = Object.keys(clientRoles).filter((clientId) => clientId !== azp);
  return {
    ...(audience.length === 1 ? { aud: audience[0] } : audience.length > 1 ? { aud: audience } : {}),
    realm_access: { roles: realmRoles },
    resource_access: clientRoles,
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

/** The claims Keycloak's service_account scope adds to a client_credentials token. */
export function serviceAccountClaims(client: RealmClient, remoteAddress: string): JWTPayload {
  return { client_id: client.clientId, clientHost: remoteAddress, clientAddress: remoteAddress };
}

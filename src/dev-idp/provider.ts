import { randomBytes } from 'node:crypto';
import Provider, { type Configuration } from 'oidc-provider';
import { userId, type Realm } from './realm.js';
import type { DevIdpKeys } from './tokens.js';

// Keycloak's endpoint paths below /realms/<realm>.
export const KEYCLOAK_ROUTES = {
  authorization: '/protocol/openid-connect/auth',
  token: '/protocol/openid-connect/token',
  jwks: '/protocol/openid-connect/certs',
  userinfo: '/protocol/openid-connect/userinfo',
  end_session: '/protocol/openid-connect/logout',
  revocation: '/protocol/openid-connect/revoke',
  introspection: '/protocol/openid-connect/token/introspect',
} as const;

/**
 * oidc-provider serves what it does like Keycloak: discovery (with Keycloak's paths), the key set, and the
 * authorization endpoint for clients with the standard flow. The token endpoint and the back-channel logout are
 * answered in front of it (keycloak-endpoints.ts), because their rules and texts are Keycloak's.
 */
export function createProvider(realm: Realm, issuer: string, keys: DevIdpKeys): Provider {
  const configuration: Configuration = {
    clients: realm.clients
      .filter((c) => c.enabled && c.standardFlowEnabled && c.redirectUris.length > 0 && !c.redirectUris.some((u) => u.includes('*')))
      .map((c) => ({
        client_id: c.clientId,
        ...(c.publicClient ? { token_endpoint_auth_method: 'none' } : { client_secret: c.secret ?? '' }),
        redirect_uris: c.redirectUris,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      })),
    jwks: { keys: [keys.privateJwk] },
    routes: KEYCLOAK_ROUTES,
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      rpInitiatedLogout: { enabled: true },
    },
    claims: {
      openid: ['sub'],
      profile: ['name', 'given_name', 'family_name', 'preferred_username'],
      email: ['email', 'email_verified'],
    },
    async findAccount(_ctx, id) {
      const user = realm.users.find((u) => userId(realm.realm, u) === id);
      if (!user) return undefined;
      return {
        accountId: id,
        claims: () => ({
          sub: id,
          preferred_username: user.username,
          ...(user.email ? { email: user.email, email_verified: user.emailVerified } : {}),
          ...(user.firstName ? { given_name: user.firstName } : {}),
          ...(user.lastName ? { family_name: user.lastName } : {}),
        }),
      };
    },
  };
  const provider = new Provider(issuer, configuration);
  // Listed in discovery as Keycloak lists it; requests never get here, keycloak-endpoints.ts answers them first.
  provider.registerGrantType('password', async () => undefined, ['username', 'password', 'scope']);
  return provider;
}

import { randomBytes } from 'node:crypto';
import Provider, { type ClientMetadata, type Configuration } from 'oidc-provider';
import { allowedOrigins as originsOf } from './claims.js';
import { escapeHtml, HTML_TYPE, page } from './html.js';
import type { DevIdpKeys } from './keys.js';
import type { RealmClient } from './realm-file.js';
import type { RealmModel } from './realm-model.js';

function allowedOrigins(realm: RealmModel, clientId: string): string[] {
  const client = realm.client(clientId);
  return client ? originsOf(client) : [];
}

// Keycloak's endpoint paths below /realms/<realm>.
export const KEYCLOAK_ROUTES = {
  authorization: '/protocol/openid-connect/auth',
  token: '/protocol/openid-connect/token',
  jwks: '/protocol/openid-connect/certs',
  userinfo: '/protocol/openid-connect/userinfo',
  end_session: '/protocol/openid-connect/logout',
  revocation: '/protocol/openid-connect/revoke',
  introspection: '/protocol/openid-connect/token/introspect',
  pushed_authorization_request: '/protocol/openid-connect/ext/par/request',
} as const;

export const SCOPES = [
  'openid',
  'profile',
  'email',
  'roles',
  'web-origins',
  'acr',
  'basic',
  'offline_access',
  'address',
  'phone',
  'microprofile-jwt',
  'organization',
];

/** oidc-provider matches redirect URIs exactly: Keycloak's wildcard and relative ones cannot be registered with it. */
function exactRedirectUris(client: RealmClient): string[] {
  return client.redirectUris.filter((uri) => {
    if (uri.includes('*')) return false;
    try {
      return ['http:', 'https:'].includes(new URL(uri).protocol);
    } catch {
      return false;
    }
  });
}

function toClientMetadata(client: RealmClient): ClientMetadata | undefined {
  const redirectUris = exactRedirectUris(client);
  if (!client.enabled || client.bearerOnly || !client.standardFlowEnabled || redirectUris.length === 0)
    return undefined;
  if (!client.publicClient && !client.secret) return undefined;
  return {
    client_id: client.clientId,
    ...(client.publicClient ? { token_endpoint_auth_method: 'none' } : { client_secret: client.secret }),
    redirect_uris: redirectUris,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
  };
}

export interface ProviderOptions {
  readonly realm: RealmModel;
  readonly issuer: string;
  readonly keys: DevIdpKeys;
  /** Where oidc-provider sends a browser to log in (an absolute path). */
  readonly interactionPath: (uid: string) => string;
}

/**
 * oidc-provider serves what it does like Keycloak: discovery with Keycloak's paths, the key set, and the
 * authorization endpoint for clients with the standard flow. Token, logout, userinfo, revocation and introspection
 * are answered in front of it (http-server.ts), because their rules and texts are Keycloak's; it only advertises them.
 */
export function createProvider({ realm, issuer, keys, interactionPath }: ProviderOptions): Provider {
  const configuration: Configuration = {
    clients: realm.settings.clients.map(toClientMetadata).filter((c): c is ClientMetadata => c !== undefined),
    jwks: { keys: [keys.privateJwk] },
    routes: KEYCLOAK_ROUTES,
    scopes: SCOPES,
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    interactions: { url: (_ctx, interaction) => interactionPath(interaction.uid) },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => {
          ctx.body = page(
            'Logging out',
            `${form}<p>Do you want to log out?</p><button form="op.logoutForm" name="logout" value="yes">Log out</button>`,
          );
        },
        postLogoutSuccessSource: (ctx) => {
          ctx.body = page('Logged out', '<p>You are logged out.</p>');
        },
      },
    },
    pkce: { required: () => false },
    // Fixed lifetimes (Keycloak's access-code and session defaults); oidc-provider prints a notice for each default it uses.
    ttl: {
      AccessToken: 300,
      AuthorizationCode: 60,
      ClientCredentials: 300,
      IdToken: 300,
      RefreshToken: 1800,
      Interaction: 1800,
      Session: 36000,
      Grant: 36000,
      DeviceCode: 600,
      BackchannelAuthenticationRequest: 600,
    },
    clientBasedCORS: (_ctx, origin, client) => allowedOrigins(realm, client.clientId).includes(origin),
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = page('Error', `<p>${escapeHtml(String(out.error_description ?? out.error))}</p>`);
    },
    claims: {
      openid: ['sub'],
      profile: ['name', 'given_name', 'family_name', 'preferred_username'],
      email: ['email', 'email_verified'],
    },
    // Keycloak asks no consent from a client that does not require it: every requested scope is granted.
    async loadExistingGrant(ctx) {
      const { client, session, result, params } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const existing = result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      if (existing) return ctx.oidc.provider.Grant.find(existing);
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope(typeof params?.scope === 'string' ? params.scope : 'openid');
      await grant.save();
      return grant;
    },
    async findAccount(_ctx, id) {
      const user = realm.userById(id);
      if (!user) return undefined;
      return { accountId: id, claims: () => ({ sub: id, preferred_username: user.username }) };
    },
  };
  const provider = new Provider(issuer, configuration);
  // Typed as Keycloak types its answers: pages text/html;charset=utf-8, JSON (the key set too) application/json.
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.response.is('html')) ctx.set('Content-Type', HTML_TYPE);
    else if (ctx.response.is('json', '+json')) ctx.set('Content-Type', 'application/json');
  });
  // Listed in discovery as Keycloak lists it; requests never reach it, the token endpoint in front answers them.
  provider.registerGrantType('password', async () => undefined, ['username', 'password', 'scope']);
  return provider;
}

import { randomBytes } from 'node:crypto';
import {
  errors,
  type ClientMetadata,
  type Configuration,
  type JWK,
  type KoaContextWithOIDC,
  type ResourceServer,
} from 'oidc-provider';
import { memoryAdapter } from './memory-adapter.js';
import type { ConfidentialClient, Directory, Person } from './directory.js';

/*
 * oidc-provider configured as a plain OpenID Connect provider: its own default paths and texts, a `roles` claim at the
 * top level, PKCE S256 required for the code flow, refresh tokens rotated. The access token format is the one choice
 * a deployment makes here: opaque (oidc-provider's default) or RFC 9068 JWTs for one default resource server.
 */

export type AccessTokenFormat = 'jwt' | 'opaque';

export interface ConfigurationInput {
  readonly directory: Directory;
  readonly signingKey: JWK;
  readonly accessTokenFormat: AccessTokenFormat;
  /** The resource indicator JWT access tokens are issued for. */
  readonly resource: string;
  /** Their `aud`. */
  readonly audience: string;
  readonly refreshTokenNeedsOfflineAccess: boolean;
  readonly refreshTokenSeconds: number;
  readonly accessTokenSeconds: number;
  readonly clientAuthMethod: 'client_secret_post' | 'client_secret_basic';
  readonly interactionUrl: (uid: string) => string;
}

export const SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;

/** The one resource server of the JWT configuration: its access tokens are RFC 9068 JWTs for `audience`. */
export function resourceServerInfo(audience: string, accessTokenSeconds: number): ResourceServer {
  return {
    scope: SCOPES.join(' '),
    audience,
    accessTokenFormat: 'jwt',
    accessTokenTTL: accessTokenSeconds,
    jwt: { sign: { alg: 'RS256' } },
  };
}

const exact = (uris: readonly string[]) => uris.filter((uri) => !uri.endsWith('*'));

function clientMetadata(
  client: ConfidentialClient,
  authMethod: ConfigurationInput['clientAuthMethod'],
): ClientMetadata {
  const codeFlow = client.redirectUris.length > 0;
  return {
    client_id: client.clientId,
    client_secret: client.secret,
    token_endpoint_auth_method: authMethod,
    // Wildcard entries are matched by the prototype methods in index.ts; oidc-provider registers exact ones only.
    redirect_uris: exact(client.redirectUris),
    post_logout_redirect_uris: exact(client.postLogoutRedirectUris),
    response_types: codeFlow ? ['code'] : [],
    grant_types: [
      ...(codeFlow ? ['authorization_code', 'refresh_token'] : []),
      ...(client.passwordGrant ? ['password', 'refresh_token'] : []),
      ...(client.clientCredentials ? ['client_credentials'] : []),
    ].filter((g, i, all) => all.indexOf(g) === i),
  };
}

/** Every claim of a person; oidc-provider hands out those of the granted scopes (see `claims` below). */
export function claimsOf(person: Person): { sub: string; [claim: string]: unknown } {
  const name = [person.givenName, person.familyName].filter(Boolean).join(' ');
  return {
    sub: person.id,
    roles: [...person.roles],
    preferred_username: person.username,
    ...(name ? { name } : {}),
    ...(person.givenName ? { given_name: person.givenName } : {}),
    ...(person.familyName ? { family_name: person.familyName } : {}),
    ...(person.email ? { email: person.email, email_verified: person.emailVerified } : {}),
  };
}

const PROFILE = ['name', 'given_name', 'family_name', 'preferred_username'];
const EMAIL = ['email', 'email_verified'];

/** What an access token says about its user besides `sub`: in a JWT's payload, and in introspection's answer. */
function tokenClaims(person: Person, scopes: Set<string>): Record<string, unknown> {
  const all = claimsOf(person);
  const wanted = ['roles', ...(scopes.has('profile') ? PROFILE : []), ...(scopes.has('email') ? EMAIL : [])];
  return Object.fromEntries(Object.entries(all).filter(([key]) => wanted.includes(key)));
}

export function configuration(input: ConfigurationInput): Configuration {
  const { directory, accessTokenFormat, resource } = input;
  const jwt = accessTokenFormat === 'jwt';
  return {
    adapter: memoryAdapter(),
    responseTypes: ['code'],
    clients: directory.clients.map((c) => clientMetadata(c, input.clientAuthMethod)),
    jwks: { keys: [input.signingKey] },
    scopes: [...SCOPES],
    claims: { openid: ['sub', 'roles'], profile: PROFILE, email: EMAIL },
    // The ID token carries the profile the scopes granted, whatever the response type (as most providers do).
    conformIdTokenClaims: false,
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    interactions: { url: (_ctx, interaction) => input.interactionUrl(interaction.uid) },
    pkce: { methods: ['S256'], required: () => true },
    rotateRefreshToken: true,
    issueRefreshToken: async (_ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') &&
      (!input.refreshTokenNeedsOfflineAccess || code.scopes.has('offline_access')),
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // Any authenticated client of this provider may introspect (there is one); said here to spare the notice.
      introspection: { enabled: true, allowedPolicy: () => true },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        // A confirmation page that confirms itself: a browser (or a test following it) ends the session in one go.
        logoutSource: (ctx, form) => {
          ctx.body = `<!DOCTYPE html><title>Sign out</title>${form}<button form="op.logoutForm" name="logout" value="yes">Sign out</button><script>document.querySelector('button[name=logout]').click()</script>`;
        },
        postLogoutSuccessSource: (ctx) => {
          ctx.body = '<!DOCTYPE html><title>Signed out</title><p>You have been signed out.</p>';
        },
      },
      resourceIndicators: {
        enabled: jwt,
        defaultResource: () => resource,
        // Every token of a grant, refreshed ones too, is for the one resource server: JWTs throughout.
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator) => {
          if (indicator !== resource) throw new errors.InvalidTarget();
          return resourceServerInfo(input.audience, input.accessTokenSeconds);
        },
      },
    },
    extraTokenClaims: (_ctx, token) => {
      const accountId = 'accountId' in token ? token.accountId : undefined;
      const person = accountId === undefined ? undefined : directory.byId(accountId);
      return person ? tokenClaims(person, token.scopes) : undefined;
    },
    ttl: {
      AccessToken: input.accessTokenSeconds,
      AuthorizationCode: 60,
      ClientCredentials: 300,
      IdToken: 300,
      RefreshToken: input.refreshTokenSeconds,
      Interaction: 1800,
      Session: 36000,
      Grant: 36000,
    },
    clientBasedCORS: () => false,
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = `<!DOCTYPE html><title>Error</title><p>${escapeHtml(String(out.error))}: ${escapeHtml(String(out.error_description ?? ''))}</p>`;
    },
    // No consent step: the client is the provider's own first party, every requested scope is granted.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const { client, session, params } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const { Grant } = ctx.oidc.provider;
      const known = ctx.oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      const grant =
        (known ? await Grant.find(known) : undefined) ??
        new Grant({ clientId: client.clientId, accountId: session.accountId });
      const scope = typeof params?.scope === 'string' ? params.scope : 'openid';
      grant.addOIDCScope(scope);
      for (const indicator of Object.keys(ctx.oidc.resourceServers ?? {})) grant.addResourceScope(indicator, scope);
      await grant.save();
      return grant;
    },
    findAccount: (_ctx, id) => {
      const person = directory.byId(id);
      if (!person) return undefined;
      return { accountId: id, claims: () => claimsOf(person) };
    },
  };
}

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

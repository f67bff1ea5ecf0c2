import type { ProviderKind } from './provider-under-test.js';

/**
 * What the provider itself says and can do, where providers differ in ways a client of the gateway never sees: what a
 * test observes at the provider (provider.seen) is read from here, what the client gets never is.
 */
export interface ProviderSays {
  /** The call with which the gateway ends a provider session: Keycloak's logout (204), RFC 7009 revocation (200). */
  readonly logout: { endpoint: 'logout' | 'revoke'; status: number };
  /** What an access token looks like: a JWT, or an opaque handle (oidc-provider's are 43 base64url characters). */
  readonly accessTokenShape: RegExp;
  /** The calls after a token answer that read the user from its access token: none for JWTs, introspection else. */
  readonly userCardCalls: readonly ('introspect' | 'userinfo')[];
  /** Whether token answers state the refresh token's lifetime (`refresh_expires_in`, Keycloak's own field). */
  readonly refreshLifetime: boolean;
  /** The token endpoint's `error_description` for these refresh tokens (oidc-provider has one text for all). */
  readonly refreshTokenTexts: { unknown: string; otherClient: string; inactive: string; sessionEnded: string };
  /** The refusal of the password grant for a client not allowed to use it. */
  readonly grantNotAllowed: { error: string; errorDescription: string };
  /** The token endpoint's refusal of a wrong client secret. */
  readonly wrongClientSecret: { error: string; status: number };
  /** What the provider's own login page says after a wrong password. */
  readonly loginPageWrongPassword: string;
  /** How the provider's key set's URL ends. */
  readonly keySetPath: string;
  /** The token endpoint, for a test that talks to the provider as another client would. */
  readonly tokenEndpoint: string;
  /** The gateway variable holding its client secret at this provider. */
  readonly clientSecretVariable: 'KEYCLOAK_CLIENT_SECRET' | 'IDP_CLIENT_SECRET';
  /** Whether a refresh token presented again after rotation is told apart from any other invalid one. */
  readonly tellsReuse: boolean;
  /** Whether a disabled account and one with unfinished required actions are told apart from a wrong password. */
  readonly tellsAccountState: boolean;
  /** Whether tokens name their provider session (`sid`), so one token's logout can refuse its session's others. */
  readonly sessionIdInTokens: boolean;
  /** Whether logout refuses a refresh token the provider does not know (RFC 7009 revocation answers 200 for it). */
  readonly logoutRefusesUnknownToken: boolean;
  /** Whether refresh tokens are JWTs a test can read (Keycloak's are; oidc-provider's are opaque). */
  readonly readableRefreshTokens: boolean;
  /** Whether the gateway's logout ends the provider's browser session too (Keycloak's back channel does). */
  readonly logoutEndsBrowserSession: boolean;
}

const KEYCLOAK_SAYS = (issuer: string): ProviderSays => ({
  accessTokenShape: /^eyJ/,
  userCardCalls: [],
  logout: { endpoint: 'logout', status: 204 },
  refreshLifetime: true,
  refreshTokenTexts: {
    unknown: 'Invalid refresh token',
    otherClient: "Invalid refresh token. Token client and authorized client don't match",
    inactive: 'Token is not active',
    sessionEnded: 'Session not active',
  },
  grantNotAllowed: { error: 'unauthorized_client', errorDescription: 'Client not allowed for direct access grants' },
  wrongClientSecret: { error: 'unauthorized_client', status: 401 },
  loginPageWrongPassword: 'Invalid username or password.',
  keySetPath: '/protocol/openid-connect/certs',
  tokenEndpoint: `${issuer}/protocol/openid-connect/token`,
  clientSecretVariable: 'KEYCLOAK_CLIENT_SECRET',
  tellsReuse: true,
  tellsAccountState: true,
  sessionIdInTokens: true,
  logoutRefusesUnknownToken: true,
  readableRefreshTokens: true,
  logoutEndsBrowserSession: true,
});

// test/support/generic-idp/index.ts says where each of these is proven.
const GENERIC_SAYS = (issuer: string, opaque: boolean): ProviderSays => ({
  accessTokenShape: opaque ? /^[\w-]{43}$/ : /^eyJ/,
  userCardCalls: opaque ? ['introspect'] : [],
  logout: { endpoint: 'revoke', status: 200 },
  refreshLifetime: false,
  refreshTokenTexts: {
    unknown: 'grant request is invalid',
    otherClient: 'grant request is invalid',
    inactive: 'grant request is invalid',
    sessionEnded: 'grant request is invalid',
  },
  grantNotAllowed: {
    error: 'invalid_request',
    errorDescription: 'requested grant type is not allowed for this client',
  },
  wrongClientSecret: { error: 'invalid_client', status: 401 },
  loginPageWrongPassword: 'Wrong username or password.',
  keySetPath: '/jwks',
  tokenEndpoint: `${issuer}/token`,
  clientSecretVariable: 'IDP_CLIENT_SECRET',
  tellsReuse: false,
  tellsAccountState: false,
  sessionIdInTokens: false,
  logoutRefusesUnknownToken: false,
  readableRefreshTokens: false,
  logoutEndsBrowserSession: false,
});

/** What a provider of this kind says; `issuer` places its endpoints. */
export function saysOf(kind: ProviderKind, issuer: string): ProviderSays {
  return kind === 'generic-jwt' || kind === 'generic-opaque'
    ? GENERIC_SAYS(issuer, kind === 'generic-opaque')
    : KEYCLOAK_SAYS(issuer);
}

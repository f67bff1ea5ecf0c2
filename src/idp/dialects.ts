import type { ErrorCode } from '../contract/errors.js';
import type { DialectName } from '../config/provider-dialect.js';
import { HOSTED_DIALECTS } from './hosted-dialects.js';

/**
 * What a provider operation was, as far as a dialect's rules tell them apart (see translate-error.ts).
 * `issued_token`: checking an access token the token endpoint has just issued, which did not verify.
 */
export type ProviderOperation =
  | 'discovery'
  | 'jwks'
  | 'login'
  | 'refresh'
  | 'logout'
  | 'callback'
  | 'issued_token'
  /** Asking the provider about an opaque access token (introspection or userinfo). */
  | 'token_check'
  /** A machine caller's own client credentials, passed through to the provider (service-token exchange). */
  | 'client_credentials'
  /** The gateway's own writes to the Admin API's users (registration). */
  | 'admin_users';

export type { DialectName };

/**
 * One refinement of the standard OAuth mapping: a provider answer (its `error`, and a text of its `error_description`
 * where the code alone is ambiguous) that means something a client must act on differently.
 */
export interface ErrorRule {
  /** Absent: any `error` (Entra ID's AADSTS number says more than its `error`, which varies). */
  error?: string;
  /** The whole description, or a pattern of it. Absent: any description. */
  description?: string | RegExp;
  /** Absent: every operation. */
  operations?: readonly ProviderOperation[];
  code: ErrorCode;
  /** A security event for the log line (e.g. a refresh token presented again after rotation). */
  event?: string;
}

/**
 * How one kind of provider speaks: data read by the one translation point and the one OpenID Connect client, never a
 * fork of either. docs/providers.md gives the source of every fact here.
 */
export interface Dialect {
  readonly name: DialectName;
  /**
   * The scopes every login asks for. Keycloak grants its client's default scopes (profile, email, roles) unasked;
   * other providers grant only what is asked, and the user card needs profile and email.
   */
  readonly baseScopes: readonly string[];
  /** Where the roles are in the access token (or userinfo): a claim name, or a dotted path into nested claims. */
  readonly rolesClaim: string;
  /** Whether access tokens are JWTs the gateway verifies with the issuer's keys, or opaque (asked of the provider). */
  readonly accessTokens: 'jwt' | 'opaque';
  /** Which claim names the client a JWT access token was issued to, in the order they are tried. */
  readonly clientClaims: readonly string[];
  /**
   * What tells a JWT access token from an ID token signed with the same keys: Keycloak's `typ` claim `Bearer`, RFC
   * 9068's `typ` header `at+jwt`, or only the client claim (ID tokens carry none of clientClaims).
   */
  readonly accessTokenType: 'keycloak' | 'at+jwt' | 'client-claim';
  /**
   * How logout ends the provider's session: Keycloak's back-channel logout, RFC 7009 revocation of the refresh token,
   * or nothing at the provider (only the gateway's session ends; said at start).
   */
  readonly logout: 'keycloak' | 'revocation' | 'local';
  /**
   * The password grant (POST /api/auth/login): offered, offered only once enabled for the client at the provider
   * (`restricted`: a refusal then is a deployment fault), or read from the discovery document (`discovery`).
   */
  readonly passwordGrant: 'offered' | 'restricted' | 'discovery';
  /** Keycloak's Admin API (account lookup by email, realm limits, registration): Keycloak only. */
  readonly adminApi: boolean;
  /**
   * The part of an `error_description` fit for a log line, when the rest may repeat what the user typed (Entra ID
   * names the account); absent: the whole description, which then never echoes input.
   */
  readonly loggedDescription?: RegExp;
  /** Refinements tried before the standard mapping, first match wins. */
  readonly errors: readonly ErrorRule[];
}

const KEYCLOAK: Dialect = {
  name: 'keycloak',
  baseScopes: ['openid'],
  rolesClaim: 'realm_access.roles',
  accessTokens: 'jwt',
  clientClaims: ['azp'],
  accessTokenType: 'keycloak',
  logout: 'keycloak',
  passwordGrant: 'offered',
  adminApi: true,
  errors: [
    { error: 'invalid_grant', description: 'Account disabled', operations: ['login'], code: 'account_disabled' },
    {
      error: 'invalid_grant',
      description: 'Account is not fully set up',
      operations: ['login'],
      code: 'account_not_ready',
    },
    // A refresh token presented again after rotation: possible token theft.
    {
      error: 'invalid_grant',
      description: /^(Maximum allowed refresh token reuse exceeded|Stale token)$/,
      operations: ['refresh'],
      code: 'invalid_grant',
      event: 'auth.refresh.reuse_detected',
    },
    // "Offline tokens not allowed for the user or client"
    { error: 'not_allowed', operations: ['login', 'refresh'], code: 'invalid_scope' },
  ],
};

/** Any OpenID Connect provider: the standard codes only, RFC 9068 access tokens, logout by revocation when offered. */
const GENERIC: Dialect = {
  name: 'generic',
  baseScopes: ['openid', 'profile', 'email'],
  rolesClaim: 'roles',
  accessTokens: 'jwt',
  clientClaims: ['client_id'],
  accessTokenType: 'at+jwt',
  logout: 'revocation',
  passwordGrant: 'discovery',
  adminApi: false,
  // oidc-provider (the common Node.js provider; lib/actions/token.js and revocation.js) says invalid_request where
  // RFC 6749 and RFC 7009 have a code of their own; its texts tell the two cases apart.
  errors: [
    // RFC 6749's unauthorized_client: the gateway's client may not use this grant.
    {
      error: 'invalid_request',
      description: 'requested grant type is not allowed for this client',
      operations: ['login', 'refresh'],
      code: 'unauthorized_client',
    },
    // A refresh token issued to another client, presented for revocation: the client's token is not valid here.
    {
      error: 'invalid_request',
      description: 'this token does not belong to you',
      operations: ['logout'],
      code: 'invalid_grant',
    },
  ],
};

export const DIALECTS: Readonly<Record<DialectName, Dialect>> = {
  keycloak: KEYCLOAK,
  generic: GENERIC,
  ...HOSTED_DIALECTS,
};

/** A claim by its whole name first (Auth0's namespaced claims are URLs, dots included), then as a dotted path. */
export function claimAt(claims: Record<string, unknown>, path: string): unknown {
  if (path in claims) return claims[path];
  let value: unknown = claims;
  for (const part of path.split('.')) {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

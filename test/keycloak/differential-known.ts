import { parseVersion } from '../../scripts/keycloak/versions.js';
import type { Difference } from './differential-observe.js';

/*
 * The differences between the embedded IdP and a real Keycloak that are known and kept, each with its reason (the
 * same list, in prose, is in src/dev-idp/README.md). The embedded IdP answers as the newest tested release; what an
 * older one answers otherwise is marked with the releases it was seen in (`seenIn`) or the release that changed it
 * (`before`). The differential suite fails on a difference not listed here, and on a listed one that no longer shows.
 */
export interface KnownDifference {
  /** The case it shows in; absent: any case (e.g. a claim of every refresh token). */
  readonly case?: string;
  /** The observation line; one ending in `*` stands for every line it begins, whatever their values. */
  readonly path: string;
  /** What each side shows on that line (not for a `*` path). */
  readonly keycloak?: string;
  readonly devIdp?: string;
  readonly reason: string;
  /** Only Keycloak releases older than this one answer differently. */
  readonly before?: string;
  /** Only these Keycloak releases were seen answering differently. */
  readonly seenIn?: readonly string[];
}

const DISCOVERY = 'discovery';
const CREATED_USER = 'admin create user: created, read by id, logged in, deleted';
const OLD_INTROSPECTION =
  "26.5.6 introspects an access token for the client it was issued to, without 26.7's check that the caller is in the token's audience";
const OLD_INTROSPECTION_AUTH =
  '26.5.6 answers a failed client authentication at the introspection endpoint with its older text';

export const KNOWN_DIFFERENCES: readonly KnownDifference[] = [
  // Discovery: the embedded IdP advertises what it serves; the gateway uses the code flow with S256, RS256 tokens and
  // the password, refresh_token and client_credentials grants, which both advertise.
  {
    case: DISCOVERY,
    path: 'body.code_challenge_methods_supported',
    keycloak: 'S256, plain',
    devIdp: 'S256',
    reason: "oidc-provider's authorization endpoint takes S256 only; the gateway (and the demo client) use S256",
  },
  ...['26.7.3', '26.5.6'].map((version): KnownDifference => ({
    case: DISCOVERY,
    path: 'body.grant_types_supported',
    keycloak: `authorization_code, client_credentials, implicit, password, refresh_token, urn:ietf:params:oauth:grant-type:device_code, ${version === '26.7.3' ? 'urn:ietf:params:oauth:grant-type:jwt-bearer, ' : ''}urn:ietf:params:oauth:grant-type:token-exchange, urn:ietf:params:oauth:grant-type:uma-ticket, urn:openid:params:grant-type:ciba`,
    devIdp: 'authorization_code, client_credentials, implicit, password, refresh_token',
    reason: 'device code, JWT bearer, token exchange, UMA and CIBA are not served, so not advertised',
    seenIn: [version],
  })),
  {
    case: DISCOVERY,
    path: 'body.id_token_signing_alg_values_supported',
    keycloak: 'ES256, ES384, ES512, EdDSA, HS256, HS384, HS512, PS256, PS384, PS512, RS256, RS384, RS512',
    devIdp: 'RS256',
    reason: 'the embedded IdP signs with RS256 only, which is what a realm signs with unless told otherwise',
  },
  {
    case: DISCOVERY,
    path: 'body.response_types_supported',
    keycloak: 'code, code id_token, code id_token token, code token, id_token, id_token token, none, token',
    devIdp: 'code, code id_token, id_token, none',
    reason: 'oidc-provider issues no access token from the authorization endpoint (implicit and hybrid "token" types)',
  },
  {
    case: DISCOVERY,
    path: 'body.token_endpoint_auth_methods_supported',
    keycloak: 'client_secret_basic, client_secret_jwt, client_secret_post, private_key_jwt, tls_client_auth',
    devIdp: 'client_secret_basic, client_secret_jwt, client_secret_post, none, private_key_jwt',
    reason:
      'oidc-provider lists "none" for public clients (Keycloak serves them without listing it) and has no mutual TLS',
  },

  // The key set.
  {
    case: 'the key set',
    path: 'keys[use=enc alg=RSA-OAEP kty=RSA]',
    keycloak: 'alg e kid kty n use x5c x5t x5t#S256',
    devIdp: 'absent',
    reason: 'nothing is encrypted: the realm has no encryption key',
  },
  {
    case: 'the key set',
    path: 'keys[use=sig alg=RS256 kty=RSA]',
    keycloak: 'alg e kid kty n use x5c x5t x5t#S256',
    devIdp: 'alg e kid kty n use',
    reason: 'the signing key comes without a certificate (x5c and its thumbprints); verifiers select it by kid',
  },

  // Tokens.
  {
    path: 'refresh_token.claims.prov',
    keycloak: '"default"',
    devIdp: 'absent',
    reason: 'a claim new in 26.7 refresh tokens, not documented; refresh tokens are opaque to clients',
    seenIn: ['26.7.3'],
  },
  // A user created through the Admin API holds the realm's default roles, so its tokens carry the account audience.
  {
    case: CREATED_USER,
    path: 'login.refresh_token.claims.prov',
    keycloak: '"default"',
    devIdp: 'absent',
    reason: 'a claim new in 26.7 refresh tokens, not documented; refresh tokens are opaque to clients',
    seenIn: ['26.7.3'],
  },
  {
    case: CREATED_USER,
    path: 'login.refresh_token.claims.aud_x',
    keycloak: '"account"',
    devIdp: 'absent',
    reason:
      "a claim new in 26.7 refresh tokens (the access token's other audiences), not documented; refresh tokens are opaque to clients",
    seenIn: ['26.7.3'],
  },

  // Older releases.
  ...['password grant: a wrong password', 'password grant: an unknown user', 'password grant: a service account'].map(
    (name): KnownDifference => ({
      case: name,
      path: 'status',
      keycloak: '401',
      devIdp: '400',
      reason: "26.6 moved the password grant's invalid_grant from 401 to 400",
      before: '26.6.0',
    }),
  ),
  { case: 'introspection: an access token', path: 'body.*', reason: OLD_INTROSPECTION, seenIn: ['26.5.6'] },
  ...['introspection: a wrong client secret', 'introspection: an unknown client'].flatMap((name): KnownDifference[] => [
    {
      case: name,
      path: 'body.error',
      keycloak: '"invalid_request"',
      devIdp: '"invalid_client"',
      reason: OLD_INTROSPECTION_AUTH,
      seenIn: ['26.5.6'],
    },
  ]),
  {
    case: 'introspection: a wrong client secret',
    path: 'body.error_description',
    keycloak: '"Authentication failed."',
    devIdp: '"Client authentication failed."',
    reason: OLD_INTROSPECTION_AUTH,
    seenIn: ['26.5.6'],
  },
  {
    case: 'introspection: an unknown client',
    path: 'body.error_description',
    keycloak: '"Authentication failed."',
    devIdp: '"Invalid client or Invalid client credentials"',
    reason: OLD_INTROSPECTION_AUTH,
    seenIn: ['26.5.6'],
  },
  ...[
    'access_token.claims.scope["organization"]',
    'body.scope["organization"]',
    'refresh_token.claims.scope["organization"]',
  ].map((path): KnownDifference => ({
    case: 'password grant: the optional scopes',
    path,
    keycloak: 'listed',
    devIdp: 'absent',
    reason:
      '26.5.6 grants the organization scope in a realm without organizations; 26.7.3 accepts it without granting it',
    seenIn: ['26.5.6'],
  })),
  {
    case: 'admin user search: an email, exact',
    path: 'body[].userProfileMetadata*',
    reason: "26.5.6 lists each user's profile metadata in a full user representation; 26.7.3 no longer does",
    seenIn: ['26.5.6'],
  },
];

function older(version: string, than: string): boolean {
  const a = parseVersion(version);
  const b = parseVersion(than);
  return a.major !== b.major ? a.major < b.major : a.minor !== b.minor ? a.minor < b.minor : a.patch < b.patch;
}

/** The entries that apply to a Keycloak of `version`. */
export function knownFor(version: string): KnownDifference[] {
  return KNOWN_DIFFERENCES.filter(
    (k) =>
      (k.before === undefined || older(version, k.before)) && (k.seenIn === undefined || k.seenIn.includes(version)),
  );
}

/** Whether `entry` lists difference `d`, seen in case `caseName`. */
export function lists(entry: KnownDifference, caseName: string, d: Difference): boolean {
  if (entry.case !== undefined && entry.case !== caseName) return false;
  if (entry.path.endsWith('*')) return d.path.startsWith(entry.path.slice(0, -1));
  return entry.path === d.path && entry.keycloak === d.keycloak && entry.devIdp === d.devIdp;
}

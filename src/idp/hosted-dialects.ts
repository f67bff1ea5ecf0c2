import type { Dialect, DialectName } from './dialects.js';

/*
 * The hosted providers' dialects. Each error rule stands on a documented answer of that provider's token endpoint:
 * docs/providers.md cites the source of each, and test/idp/hosted-dialects.test.ts replays them over HTTP. Answers
 * with no rule here read as the standard OAuth codes (translate-error.ts).
 */

const AUTH0: Dialect = {
  name: 'auth0',
  // Refresh tokens only for offline_access at these providers; a session without one ends with its access token.
  baseScopes: ['openid', 'profile', 'email', 'offline_access'],
  // Auth0 puts roles in a token only through an Action, under a namespaced claim: set ROLES_CLAIM to it.
  rolesClaim: 'roles',
  // Without an `audience`, Auth0 issues opaque access tokens meant for its /userinfo only.
  accessTokens: 'opaque',
  clientClaims: ['azp'],
  accessTokenType: 'client-claim',
  logout: 'revocation',
  passwordGrant: 'restricted',
  adminApi: false,
  errors: [
    { error: 'mfa_required', operations: ['login'], code: 'mfa_required' },
    { error: 'too_many_attempts', operations: ['login'], code: 'rate_limited' },
    { error: 'too_many_logins', operations: ['login'], code: 'rate_limited' },
    { description: 'user is blocked', operations: ['login'], code: 'account_disabled' },
    { error: 'password_leaked', operations: ['login'], code: 'account_disabled' },
    // The application lacks the Password grant, or the tenant has no Default Directory (answered with a 500).
    {
      error: 'unauthorized_client',
      description: /^Grant type '.*password.*' not allowed/,
      operations: ['login'],
      code: 'password_login_unavailable',
    },
    {
      error: 'server_error',
      description: 'Authorization server not configured with default connection.',
      operations: ['login'],
      code: 'password_login_unavailable',
    },
  ],
};

// Entra ID's own code leads every description ("AADSTS50126: Error validating ..."), whatever the `error`: a lockout
// (50053) has been documented as unauthorized_client too.
const aadsts = (...codes: number[]) => new RegExp(`^AADSTS(${codes.join('|')}):`);

const ENTRA: Dialect = {
  name: 'entra',
  // Refresh tokens only for offline_access at these providers; a session without one ends with its access token.
  baseScopes: ['openid', 'profile', 'email', 'offline_access'],
  rolesClaim: 'roles',
  // Tokens for Microsoft Graph are not for anyone else to verify.
  accessTokens: 'opaque',
  clientClaims: ['azp', 'appid'],
  accessTokenType: 'client-claim',
  // Entra ID revokes no single refresh token: only the gateway's session ends.
  logout: 'local',
  passwordGrant: 'restricted',
  adminApi: false,
  // "AADSTS50034: The user account alice@example.com does not exist ...": only the number is logged.
  loggedDescription: /^AADSTS\d+/,
  errors: [
    { description: aadsts(50076, 50079, 50074, 50158), operations: ['login'], code: 'mfa_required' },
    { error: 'interaction_required', operations: ['login'], code: 'mfa_required' },
    { description: aadsts(50053), operations: ['login'], code: 'rate_limited' },
    { description: aadsts(50057), operations: ['login'], code: 'account_disabled' },
    { description: aadsts(50055, 65001), operations: ['login'], code: 'account_not_ready' },
    { error: 'user_password_expired', operations: ['login'], code: 'account_not_ready' },
  ],
};

const OKTA: Dialect = {
  name: 'okta',
  // Refresh tokens only for offline_access at these providers; a session without one ends with its access token.
  baseScopes: ['openid', 'profile', 'email', 'offline_access'],
  // A custom `groups` claim, added to the authorization server's tokens by the admin.
  rolesClaim: 'groups',
  accessTokens: 'jwt',
  // Okta names the client in `cid`.
  clientClaims: ['cid'],
  accessTokenType: 'client-claim',
  logout: 'revocation',
  passwordGrant: 'restricted',
  adminApi: false,
  errors: [
    {
      error: 'invalid_grant',
      description: 'Resource owner password credentials cannot be used with MFA enabled.',
      operations: ['login'],
      code: 'mfa_required',
    },
    { error: 'mfa_required', operations: ['login'], code: 'mfa_required' },
    {
      error: 'invalid_grant',
      description: 'API call exceeded rate limit due to too many requests.',
      operations: ['login'],
      code: 'rate_limited',
    },
    { error: 'invalid_grant', description: 'Password has expired.', operations: ['login'], code: 'account_not_ready' },
    {
      error: 'invalid_grant',
      description: 'Resource owner password credentials authentication denied by sign on policy.',
      operations: ['login'],
      code: 'password_login_unavailable',
    },
    {
      error: 'unauthorized_client',
      description: /^The client is not authorized to use the provided grant type\./,
      operations: ['login'],
      code: 'password_login_unavailable',
    },
  ],
};

export const HOSTED_DIALECTS: Readonly<Record<Exclude<DialectName, 'keycloak' | 'generic'>, Dialect>> = {
  auth0: AUTH0,
  entra: ENTRA,
  okta: OKTA,
};

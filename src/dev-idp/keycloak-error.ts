/** One of Keycloak's OAuth error answers, reproduced byte for byte: `{"error":...,"error_description":...}`. */
export class KeycloakError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    /** Absent only where Keycloak's generic error handler answers with `error` alone (404 realm). */
    readonly description?: string,
  ) {
    super(description === undefined ? `${status} ${error}` : `${status} ${error}: ${description}`);
    this.name = 'KeycloakError';
  }

  body(): Record<string, string> {
    return this.description === undefined
      ? { error: this.error }
      : { error: this.error, error_description: this.description };
  }
}

const invalidGrant = (description: string) => new KeycloakError(400, 'invalid_grant', description);

// Keycloak's texts, as its source spells them (keycloak.md sections 1a-1c, 2a-2c).
export const KC = {
  realmDoesNotExist: () => new KeycloakError(404, 'Realm does not exist'),
  realmDisabled: () => new KeycloakError(403, 'access_denied', 'Realm not enabled'),
  duplicatedParameter: () => new KeycloakError(400, 'invalid_request', 'duplicated parameter'),

  invalidClient: () => new KeycloakError(401, 'invalid_client', 'Invalid client or Invalid client credentials'),
  badClientSecret: () => new KeycloakError(401, 'unauthorized_client', 'Invalid client or Invalid client credentials'),
  bearerOnly: () => new KeycloakError(400, 'invalid_client', 'Bearer-only not allowed'),

  missingGrantType: () => new KeycloakError(400, 'invalid_request', 'Missing form parameter: grant_type'),
  unsupportedGrantType: () => new KeycloakError(400, 'unsupported_grant_type', 'Unsupported grant_type'),
  invalidScopes: (scope: string) => new KeycloakError(400, 'invalid_scope', `Invalid scopes: ${scope}`),

  directGrantsDisabled: () =>
    new KeycloakError(400, 'unauthorized_client', 'Client not allowed for direct access grants'),
  missingUsername: () => new KeycloakError(401, 'invalid_request', 'Missing parameter: username'),
  invalidUserCredentials: (status: 400 | 401) => new KeycloakError(status, 'invalid_grant', 'Invalid user credentials'),
  accountDisabled: () => invalidGrant('Account disabled'),
  accountNotSetUp: () => invalidGrant('Account is not fully set up'),
  offlineNotAllowed: () => new KeycloakError(400, 'not_allowed', 'Offline tokens not allowed for the user or client'),

  noRefreshToken: () => new KeycloakError(400, 'invalid_request', 'No refresh token'),
  invalidRefreshToken: () => invalidGrant('Invalid refresh token'),
  issuerMismatch: (expected: string, actual: string) =>
    invalidGrant(`Invalid token issuer. Expected '${expected}', but was '${actual}'`),
  clientMismatch: () => invalidGrant("Invalid refresh token. Token client and authorized client don't match"),
  tokenNotActive: () => invalidGrant('Token is not active'),
  sessionNotActive: () => invalidGrant('Session not active'),
  offlineSessionNotFound: () => invalidGrant('Offline user session not found'),
  offlineSessionNotActive: () => invalidGrant('Offline session not active'),
  userDisabled: () => invalidGrant('User disabled'),
  staleToken: () => invalidGrant('Stale token'),
  reuseExceeded: () => invalidGrant('Maximum allowed refresh token reuse exceeded'),
  clientDetached: () => invalidGrant("Session doesn't have required client"),

  serviceAccountsDisabled: () =>
    new KeycloakError(401, 'unauthorized_client', 'Client not enabled to retrieve service account'),
  publicClientServiceAccount: () =>
    new KeycloakError(401, 'unauthorized_client', 'Public client not allowed to retrieve service account'),
  serviceAccountMissing: () =>
    new KeycloakError(401, 'invalid_request', 'The associated service account for the client does not exist'),
  serviceAccountDisabled: (username: string) =>
    new KeycloakError(401, 'invalid_request', `User '${username}' disabled`),

  codeNotValid: () => invalidGrant('Code not valid'),
  incorrectRedirectUri: () => invalidGrant('Incorrect redirect_uri'),
  pkceMismatch: () => invalidGrant('PKCE verification failed: Code mismatch'),
  codeFlowDisabled: () => new KeycloakError(400, 'unauthorized_client', 'Client not allowed to exchange code'),
  missingCode: () => new KeycloakError(400, 'invalid_request', 'Missing parameter: code'),

  tokenNotProvided: () => new KeycloakError(400, 'invalid_request', 'Token not provided'),
  unmatchingClients: () => new KeycloakError(400, 'invalid_request', 'Unmatching clients'),
  introspectionAuthFailed: () => new KeycloakError(401, 'invalid_client', 'Client authentication failed.'),
  introspectionPublicClient: () => new KeycloakError(403, 'invalid_request', 'Client not allowed.'),
  introspectionTokenNotProvided: () => new KeycloakError(400, 'invalid_request', 'Token not provided.'),
  introspectionUnsupportedType: (hint: string) =>
    new KeycloakError(400, 'invalid_request', `Unsupported token type [${hint}].`),
  unsupportedTokenType: () => new KeycloakError(400, 'unsupported_token_type', 'Unsupported token type'),
};

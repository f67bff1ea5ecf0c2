/** One of Keycloak's OAuth error answers, reproduced byte for byte: `{"error":..., "error_description":...}`. */
export class KeycloakError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(`${status} ${error}: ${description}`);
    this.name = 'KeycloakError';
  }

  body(): Record<string, string> {
    return { error: this.error, error_description: this.description };
  }
}

// Keycloak's texts, as its source spells them (keycloak.md, sections 1a, 1b, 2a).
export const KC = {
  invalidClient: () => new KeycloakError(401, 'invalid_client', 'Invalid client or Invalid client credentials'),
  badClientSecret: () => new KeycloakError(401, 'unauthorized_client', 'Invalid client or Invalid client credentials'),
  missingGrantType: () => new KeycloakError(400, 'invalid_request', 'Missing form parameter: grant_type'),
  unsupportedGrantType: () => new KeycloakError(400, 'unsupported_grant_type', 'Unsupported grant_type'),
  directGrantsDisabled: () => new KeycloakError(400, 'unauthorized_client', 'Client not allowed for direct access grants'),
  missingUsername: () => new KeycloakError(401, 'invalid_request', 'Missing parameter: username'),
  invalidUserCredentials: (status: 400 | 401) => new KeycloakError(status, 'invalid_grant', 'Invalid user credentials'),
  accountDisabled: () => new KeycloakError(400, 'invalid_grant', 'Account disabled'),
  accountNotSetUp: () => new KeycloakError(400, 'invalid_grant', 'Account is not fully set up'),
  invalidScopes: (scope: string) => new KeycloakError(400, 'invalid_scope', `Invalid scopes: ${scope}`),
  noRefreshToken: () => new KeycloakError(400, 'invalid_request', 'No refresh token'),
  invalidRefreshToken: () => new KeycloakError(400, 'invalid_grant', 'Invalid refresh token'),
  clientMismatch: () => new KeycloakError(400, 'invalid_grant', "Invalid refresh token. Token client and authorized client don't match"),
  tokenNotActive: () => new KeycloakError(400, 'invalid_grant', 'Token is not active'),
  sessionNotActive: () => new KeycloakError(400, 'invalid_grant', 'Session not active'),
  staleToken: () => new KeycloakError(400, 'invalid_grant', 'Stale token'),
  reuseExceeded: () => new KeycloakError(400, 'invalid_grant', 'Maximum allowed refresh token reuse exceeded'),
  clientDetached: () => new KeycloakError(400, 'invalid_grant', "Session doesn't have required client"),
  serviceAccountsDisabled: () => new KeycloakError(401, 'unauthorized_client', 'Client not enabled to retrieve service account'),
  realmDisabled: () => new KeycloakError(403, 'access_denied', 'Realm not enabled'),
};

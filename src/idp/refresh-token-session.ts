import { decodeJwt } from 'jose';

/**
 * The Keycloak session a refresh token names (its `sid` claim), or undefined when it names none. Keycloak signs
 * refresh tokens with a realm secret the gateway does not have, so this reads the claim without any check: only once
 * the provider has accepted the very same token (a successful logout) does the answer say which session ended.
 */
export function sessionOfAcceptedRefreshToken(refreshToken: string): string | undefined {
  try {
    const { sid } = decodeJwt(refreshToken);
    return typeof sid === 'string' && sid !== '' ? sid : undefined;
  } catch {
    return undefined;
  }
}

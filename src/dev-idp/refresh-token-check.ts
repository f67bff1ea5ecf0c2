import type { IdpContext } from './context.js';
import { KC } from './keycloak-error.js';
import type { RealmClient } from './realm-file.js';
import type { RefreshClaims } from './tokens.js';

/**
 * Keycloak's TokenManager.verifyRefreshToken, checks in its order: signature and type, issuer, expiry (the logout
 * endpoint skips it: an expired refresh token still logs out), then the client the token was issued to.
 */
export async function verifyRefreshToken(
  ctx: IdpContext,
  client: RealmClient,
  token: string,
  checkExpiration: boolean,
): Promise<RefreshClaims> {
  const claims = await ctx.minter.readRefreshToken(token);
  if (!claims) throw KC.invalidRefreshToken();
  if (claims.iss !== ctx.issuer) throw KC.issuerMismatch(ctx.issuer, claims.iss);
  // TokenVerifier.IS_ACTIVE: expired only once the clock is past exp.
  if (checkExpiration && claims.exp !== undefined && ctx.sessions.now() > claims.exp) throw KC.tokenNotActive();
  if (claims.azp !== client.clientId) throw KC.clientMismatch();
  return claims;
}

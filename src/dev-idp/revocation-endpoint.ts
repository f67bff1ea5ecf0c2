import { authenticateClient } from './client-auth.js';
import type { EndpointRequest, IdpContext } from './context.js';
import { KC, KeycloakError } from './keycloak-error.js';

// Keycloak answers an unusable token with status 200 and this body (CorsErrorResponseException with Status.OK).
const invalidToken = () => new KeycloakError(200, 'invalid_token', 'Invalid token');

/**
 * RFC 7009 revocation as Keycloak's TokenRevocationEndpoint does it: a refresh token removes its client's part of
 * the session (the whole session when no other client is left); an access token is refused by userinfo and
 * introspection until it expires. Success is 200 with an empty body.
 */
export async function revocationEndpoint(ctx: IdpContext, req: EndpointRequest): Promise<void> {
  if (!ctx.realm.settings.enabled) throw KC.realmDisabled();
  const client = authenticateClient(ctx.realm, req.presented);
  if (client.bearerOnly) throw KC.bearerOnly();
  if (req.form.hasDuplicates()) throw KC.duplicatedParameter();
  const token = req.form.get('token');
  if (token === undefined) throw KC.tokenNotProvided();
  const now = ctx.sessions.now();

  const refresh = await ctx.minter.readRefreshToken(token);
  if (refresh) {
    if (refresh.iss !== ctx.issuer || (refresh.exp !== undefined && now > refresh.exp)) throw invalidToken();
    if (refresh.azp !== client.clientId) throw KC.unmatchingClients();
    const session = ctx.sessions.find(refresh.sid, refresh.typ === 'Offline');
    if (!session || !ctx.sessions.isValid(session) || !session.clients.has(client.clientId)) throw invalidToken();
    session.clients.delete(client.clientId);
    if (session.clients.size === 0) ctx.sessions.end(session);
    return;
  }
  const access = await ctx.minter.readAccessToken(token);
  if (!access || typeof access.jti !== 'string' || now > (access.exp ?? 0)) throw invalidToken();
  if (access.azp !== client.clientId) throw KC.unmatchingClients();
  ctx.revoked.add(access.jti, access.exp ?? now);
}

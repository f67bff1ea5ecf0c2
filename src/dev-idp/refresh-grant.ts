import type { EndpointRequest, IdpContext } from './context.js';
import { KC } from './keycloak-error.js';
import type { RealmClient } from './realm-file.js';
import { verifyRefreshToken } from './refresh-token-check.js';
import { grantScope, narrowScope } from './scopes.js';
import type { TokenResponse } from './tokens.js';

/**
 * The refresh grant in Keycloak's order (RefreshTokenGrantType, TokenManager.refreshAccessToken / validateToken):
 * the token itself, then its session, its user, its client session, the reuse rules; every failure a 400.
 */
export async function refreshGrant(ctx: IdpContext, client: RealmClient, req: EndpointRequest): Promise<TokenResponse> {
  const token = req.form.get('refresh_token');
  if (token === undefined) throw KC.noRefreshToken();
  const requestedScope = req.form.get('scope');
  grantScope(client, requestedScope);
  const claims = await verifyRefreshToken(ctx, client, token, true);
  const offline = claims.typ === 'Offline';
  const session = ctx.sessions.find(claims.sid, offline);
  if (!session || !ctx.sessions.isValid(session)) {
    if (session) ctx.sessions.end(session);
    throw offline ? (session ? KC.offlineSessionNotActive() : KC.offlineSessionNotFound()) : KC.sessionNotActive();
  }
  const user = ctx.realm.userById(session.userId);
  if (!user) throw KC.sessionNotActive();
  if (!user.enabled) throw KC.userDisabled();
  const clientSession = session.clients.get(client.clientId);
  if (!clientSession) throw KC.clientDetached();
  ctx.sessions.useRefreshToken(session, clientSession, claims.jti);
  const grant = narrowScope(client, clientSession.scope, requestedScope);
  ctx.sessions.touch(session);
  return ctx.minter.forSession({ user, client, grant: { ...grant, offline }, session, clientSession });
}

import { authenticateClient } from './client-auth.js';
import type { EndpointRequest, IdpContext } from './context.js';
import { KC } from './keycloak-error.js';
import { verifyRefreshToken } from './refresh-token-check.js';

/**
 * Keycloak's back-channel logout (LogoutEndpoint.logoutToken), for a form with a refresh_token (any other POST is the
 * browser's logout, http-server.ts): client authentication, then a refresh token of that client, expired or not. It
 * ends the whole user session; a session already gone makes it a successful no-op (204).
 */
export async function logoutEndpoint(ctx: IdpContext, req: EndpointRequest): Promise<void> {
  const client = authenticateClient(ctx.realm, req.presented);
  if (client.bearerOnly) throw KC.bearerOnly();
  const claims = await verifyRefreshToken(ctx, client, req.form.get('refresh_token') ?? '', false);
  const session = ctx.sessions.find(claims.sid, claims.typ === 'Offline');
  if (session) ctx.sessions.end(session);
}

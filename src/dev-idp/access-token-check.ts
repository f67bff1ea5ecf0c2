import type { JWTPayload } from 'jose';
import type { IdpContext } from './context.js';
import type { User } from './realm-model.js';

export type AccessTokenCheck =
  | { readonly ok: true; readonly claims: JWTPayload; readonly user: User }
  | { readonly ok: false; readonly description: string };

/**
 * What Keycloak's userinfo and introspection check beyond the signature: not expired, not revoked, its session (when
 * it has one; client_credentials tokens do not) still there with the token's client, its user enabled. The texts are
 * userinfo's WWW-Authenticate descriptions: for the session, the event error code (UserSessionUtil), as 24 and later
 * answer it.
 */
export async function checkAccessToken(ctx: IdpContext, token: string): Promise<AccessTokenCheck> {
  const claims = await ctx.minter.readAccessToken(token);
  const failed = (description: string): AccessTokenCheck => ({ ok: false, description });
  if (!claims || ctx.sessions.now() > (claims.exp ?? 0)) return failed('Token verification failed');
  if (typeof claims.jti === 'string' && ctx.revoked.has(claims.jti)) return failed('Token verification failed');
  const user = typeof claims.sub === 'string' ? ctx.realm.userById(claims.sub) : undefined;
  if (!user) return failed('User not found');
  if (typeof claims.sid === 'string') {
    const session = ctx.sessions.find(claims.sid, false) ?? ctx.sessions.find(claims.sid, true);
    if (!session || typeof claims.azp !== 'string' || !session.clients.has(claims.azp)) {
      return failed('user_session_not_found');
    }
    if (!ctx.sessions.isValid(session)) return failed('session_expired');
  }
  if (!user.enabled) return failed('User disabled');
  return { ok: true, claims, user };
}

import { checkAccessToken } from './access-token-check.js';
import { authenticateClient } from './client-auth.js';
import type { EndpointRequest, IdpContext } from './context.js';
import { KC, KeycloakError } from './keycloak-error.js';

const HINTS = new Set(['access_token', 'refresh_token']);

/**
 * Keycloak's TokenIntrospectionEndpoint: confidential clients only, any failure of the token itself is
 * `{"active":false}` with status 200, an active token is its claims plus client_id, username, token_type, active.
 */
export async function introspectionEndpoint(ctx: IdpContext, req: EndpointRequest): Promise<Record<string, unknown>> {
  if (!ctx.realm.settings.enabled) throw KC.realmDisabled();
  let client;
  try {
    client = authenticateClient(ctx.realm, req.presented);
  } catch (error) {
    // The endpoint wraps client-authentication failures into its own answer (keycloak.md 2c, derived).
    if (error instanceof KeycloakError) throw KC.introspectionAuthFailed();
    throw error;
  }
  if (client.publicClient) throw KC.introspectionPublicClient();
  if (req.form.hasDuplicates()) throw KC.duplicatedParameter();
  const hint = req.form.get('token_type_hint') ?? 'access_token';
  const token = req.form.get('token');
  if (token === undefined) throw KC.introspectionTokenNotProvided();
  if (!HINTS.has(hint)) throw KC.introspectionUnsupportedType(hint);

  if (hint === 'refresh_token') {
    const refresh = await ctx.minter.readRefreshToken(token);
    if (!refresh || refresh.iss !== ctx.issuer || (refresh.exp !== undefined && ctx.sessions.now() > refresh.exp)) return { active: false };
    const session = ctx.sessions.find(refresh.sid, refresh.typ === 'Offline');
    const user = ctx.realm.userById(refresh.sub);
    if (!session || !ctx.sessions.isValid(session) || !session.clients.has(refresh.azp) || !user?.enabled) return { active: false };
    return { ...refresh, client_id: refresh.azp, username: user.username, token_type: refresh.typ, active: true };
  }
  const check = await checkAccessToken(ctx, token);
  if (!check.ok) return { active: false };
  return { ...check.claims, client_id: check.claims.azp, username: check.user.username, token_type: 'Bearer', active: true };
}

import { checkAccessToken } from './access-token-check.js';
import { authenticateClient } from './client-auth.js';
import { allowedOrigins, optionalScopeClaims, profileClaims, roleClaims } from './claims.js';
import type { EndpointRequest, IdpContext } from './context.js';
import { KC, KeycloakError } from './keycloak-error.js';
import type { User } from './realm-model.js';
import type { RefreshClaims } from './tokens.js';

const HINTS = new Set(['access_token', 'refresh_token']);

// Keycloak 26.7.3 introspects an access token only for a client the token names in `aud`; being the client the token
// was issued to (azp) is not enough.
function audienceOf(claims: { aud?: string | string[] }): string[] {
  return claims.aud === undefined ? [] : Array.isArray(claims.aud) ? claims.aud : [claims.aud];
}

/**
 * A refresh token as Keycloak introspects it: its own basic claims, then what the client's mappers add for
 * introspection (the access token's role, origin and profile claims), with the token's full scope.
 */
function refreshTokenClaims(ctx: IdpContext, refresh: RefreshClaims, user: User): Record<string, unknown> {
  const { exp, iat, jti, iss, typ, azp, sid, sub, scope } = refresh;
  const client = ctx.realm.client(azp);
  const origins = client ? allowedOrigins(client) : [];
  const { aud: _roleAudience, ...roles } = roleClaims(ctx.realm.name, user, azp);
  return {
    ...(exp === undefined ? {} : { exp }),
    iat,
    jti,
    iss,
    aud: ctx.issuer,
    sub,
    typ,
    azp,
    sid,
    acr: '1',
    ...(origins.length > 0 ? { 'allowed-origins': origins } : {}),
    ...roles,
    scope,
    ...profileClaims(user),
    ...optionalScopeClaims(ctx.realm.name, user, scope),
  };
}

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
    // An unknown client gets the token endpoint's answer, a wrong secret one of the endpoint's own (Keycloak 26.7.3).
    if (error instanceof KeycloakError && error.error === 'unauthorized_client') throw KC.introspectionAuthFailed();
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
    if (!refresh || refresh.iss !== ctx.issuer || (refresh.exp !== undefined && ctx.sessions.now() > refresh.exp))
      return { active: false };
    const session = ctx.sessions.find(refresh.sid, refresh.typ === 'Offline');
    const user = ctx.realm.userById(refresh.sub);
    if (!session || !ctx.sessions.isValid(session) || !session.clients.has(refresh.azp) || !user?.enabled)
      return { active: false };
    return {
      ...refreshTokenClaims(ctx, refresh, user),
      client_id: refresh.azp,
      username: user.username,
      token_type: refresh.typ,
      active: true,
    };
  }
  const check = await checkAccessToken(ctx, token);
  if (!check.ok || !audienceOf(check.claims).includes(client.clientId)) return { active: false };
  return {
    ...check.claims,
    client_id: check.claims.azp,
    username: check.user.username,
    token_type: 'Bearer',
    active: true,
  };
}

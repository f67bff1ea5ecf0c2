import type * as client from 'openid-client';
import type { TokenSet } from './identity-provider.js';

/** The scope asked for, with `openid` and the dialect's base scopes always in it. */
export function withOpenId(scope: string | undefined, baseScopes: readonly string[] = ['openid']): string {
  // The client's scopes first, as they always went to Keycloak (its refusal names them in this order).
  const scopes = new Set([...(scope ?? '').split(' ').filter(Boolean), ...baseScopes]);
  scopes.add('openid');
  return [...scopes].join(' ');
}

/** The token endpoint's answer as the gateway keeps it: only the fields it knows. */
export function toTokenSet(response: client.TokenEndpointResponse): TokenSet {
  const tokens: TokenSet = {
    access_token: response.access_token,
    expires_in: Number(response.expires_in ?? 0),
    token_type: 'Bearer',
  };
  if (response.refresh_token) tokens.refresh_token = response.refresh_token;
  if (typeof response.id_token === 'string') tokens.id_token = response.id_token;
  if (typeof response.refresh_expires_in === 'number') tokens.refresh_expires_in = response.refresh_expires_in;
  if (typeof response.scope === 'string') tokens.scope = response.scope;
  return tokens;
}

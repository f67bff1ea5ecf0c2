import { KC } from './keycloak-error.js';
import type { RealmClient } from './realm-file.js';

// Keycloak's built-in client-scope assignment for a client that does not list its own.
const DEFAULT_CLIENT_SCOPES = ['profile', 'email', 'roles', 'web-origins', 'acr', 'basic'];
const OPTIONAL_CLIENT_SCOPES = ['offline_access', 'address', 'phone', 'microprofile-jwt', 'organization'];
// Scopes whose "include in token scope" is off in Keycloak: granted, but never named in the `scope` string.
const HIDDEN_FROM_SCOPE_STRING = new Set(['roles', 'web-origins', 'acr', 'basic']);
// Accepted, but granted only in a realm with organizations enabled, which a realm file here cannot say (26.7.3).
const NEVER_GRANTED = new Set(['organization']);

/** The client scopes of a client: its own lists, or Keycloak's built-in assignment when the realm file has none. */
export function clientScopesOf(client: RealmClient): {
  readonly defaults: readonly string[];
  readonly optional: readonly string[];
} {
  return {
    defaults: client.defaultClientScopes ?? DEFAULT_CLIENT_SCOPES,
    optional: client.optionalClientScopes ?? OPTIONAL_CLIENT_SCOPES,
  };
}

export interface ScopeGrant {
  /** The `scope` of the token response and the access token, e.g. "openid profile email". */
  readonly scope: string;
  /** Every granted scope, the hidden ones too: what Keycloak writes into the refresh token's `scope` claim. */
  readonly fullScope: string;
  readonly openid: boolean;
  readonly offline: boolean;
}

/**
 * The scope parameter split as Keycloak splits it (Java's String.split(" ")): `scope=` is one empty scope and a doubled
 * space puts an empty one between, either of which no client has; only trailing spaces are dropped.
 */
function words(scope: string | undefined): string[] {
  if (scope === undefined) return [];
  if (scope === '') return [''];
  const parts = scope.split(' ');
  while (parts.at(-1) === '') parts.pop();
  return parts;
}

/**
 * What Keycloak grants for a `scope` parameter: the client's default scopes always, `openid` and optional scopes when
 * asked. Anything the client does not have fails the whole request with the parameter quoted as sent.
 */
export function grantScope(client: RealmClient, requested: string | undefined): ScopeGrant {
  const { defaults, optional } = clientScopesOf(client);
  const asked = words(requested);
  if (asked.some((s) => s !== 'openid' && !defaults.includes(s) && !optional.includes(s)))
    throw KC.invalidScopes(requested ?? '');
  const granted = new Set<string>();
  if (asked.includes('openid')) granted.add('openid');
  for (const s of defaults) granted.add(s);
  for (const s of asked) if (optional.includes(s) && !NEVER_GRANTED.has(s)) granted.add(s);
  const named = [...granted].filter((s) => !HIDDEN_FROM_SCOPE_STRING.has(s));
  return {
    scope: named.join(' '),
    fullScope: [...granted].join(' '),
    openid: granted.has('openid'),
    offline: granted.has('offline_access'),
  };
}

/** A refresh may narrow the scope, never widen it (Keycloak answers a wider one as invalid). */
export function narrowScope(client: RealmClient, original: string, requested: string | undefined): ScopeGrant {
  if (words(requested).length === 0) return grantScope(client, original);
  const allowed = new Set(words(original));
  const { defaults } = clientScopesOf(client);
  if (words(requested).some((s) => !allowed.has(s) && !defaults.includes(s))) throw KC.invalidScopes(requested ?? '');
  return grantScope(client, requested);
}

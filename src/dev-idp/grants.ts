import { KC, KeycloakError } from './keycloak-error.js';
import { passwordMatches } from './passwords.js';
import { userId, type Realm, type RealmClient } from './realm.js';
import type { SessionStore } from './sessions.js';
import type { IssuedTokens, TokenMinter } from './tokens.js';

// The client scopes Keycloak assigns by default (plus openid); anything else is "Invalid scopes".
const KNOWN_SCOPES = new Set(['openid', 'profile', 'email', 'roles', 'web-origins', 'acr', 'basic', 'offline_access', 'address', 'phone', 'microprofile-jwt']);
const DEFAULT_SCOPES = ['profile', 'email'];

export interface GrantContext {
  realm: Realm;
  sessions: SessionStore;
  minter: TokenMinter;
  now: () => number;
  passwordGrantErrorStatus: 400 | 401;
}

/** The resource owner password grant, with Keycloak's order of checks and its answers. */
export async function passwordGrant(ctx: GrantContext, client: RealmClient, form: Record<string, string>): Promise<IssuedTokens> {
  if (!client.directAccessGrantsEnabled) throw KC.directGrantsDisabled();
  const scope = grantedScope(form.scope);
  if (form.username === undefined || form.username === '') throw KC.missingUsername();
  const wanted = form.username.toLowerCase();
  const user = ctx.realm.users.find((u) => u.username.toLowerCase() === wanted || u.email?.toLowerCase() === wanted);
  const invalid = KC.invalidUserCredentials(ctx.passwordGrantErrorStatus);
  if (!user || user.serviceAccountClientId !== undefined) {
    passwordMatches(undefined, form.password ?? '');
    throw invalid;
  }
  // Keycloak checks "enabled" before the password: a disabled account says so even to a wrong password.
  if (!user.enabled) throw KC.accountDisabled();
  if (!passwordMatches(user, form.password ?? '')) throw invalid;
  if (user.requiredActions.length > 0 || user.credentials.some((c) => c.temporary)) throw KC.accountNotSetUp();
  const session = ctx.sessions.create(userId(ctx.realm.realm, user), client.clientId, scope);
  return ctx.minter.issue({ user, client, scope, session, refreshExpiry: (nowMs) => ctx.sessions.refreshExpiry(session, nowMs) });
}

/** The refresh grant: a valid, unexpired refresh token of this client, whose session is alive and not reused. */
export async function refreshGrant(ctx: GrantContext, client: RealmClient, form: Record<string, string>): Promise<IssuedTokens> {
  if (!form.refresh_token) throw KC.noRefreshToken();
  const claims = await ctx.minter.readRefreshToken(form.refresh_token);
  if (!claims || typeof claims.sid !== 'string' || typeof claims.jti !== 'string') throw KC.invalidRefreshToken();
  if ((claims.exp ?? 0) * 1000 <= ctx.now()) throw KC.tokenNotActive();
  if (claims.azp !== client.clientId) throw KC.clientMismatch();
  const session = ctx.sessions.find(claims.sid);
  if (!ctx.sessions.isActive(session)) throw KC.sessionNotActive();
  ctx.sessions.useRefreshToken(session, claims.jti);
  const user = ctx.realm.users.find((u) => userId(ctx.realm.realm, u) === session.userId);
  if (!user) throw KC.sessionNotActive();
  if (!user.enabled) throw new KeycloakError(400, 'invalid_grant', 'User disabled');
  session.lastRefresh = ctx.now();
  return ctx.minter.issue({ user, client, scope: session.scope, session, refreshExpiry: (nowMs) => ctx.sessions.refreshExpiry(session, nowMs) });
}

/** client_credentials: an access token for the client's service-account user, no refresh token, no session. */
export async function clientCredentialsGrant(ctx: GrantContext, client: RealmClient, form: Record<string, string>): Promise<IssuedTokens> {
  if (!client.serviceAccountsEnabled || client.publicClient) throw KC.serviceAccountsDisabled();
  const scope = grantedScope(form.scope);
  const user = ctx.realm.users.find((u) => u.serviceAccountClientId === client.clientId) ?? {
    username: `service-account-${client.clientId}`,
    emailVerified: false,
    enabled: true,
    requiredActions: [],
    credentials: [],
    realmRoles: [],
    clientRoles: {},
    serviceAccountClientId: client.clientId,
  };
  return ctx.minter.issue({ user, client, scope });
}

/** Keycloak grants its default scopes plus the requested known ones, and refuses the whole request for an unknown one. */
function grantedScope(requested: string | undefined): string {
  const asked = (requested ?? '').split(' ').filter(Boolean);
  if (asked.some((s) => !KNOWN_SCOPES.has(s))) throw KC.invalidScopes(requested ?? '');
  return [...new Set([...(asked.includes('openid') ? ['openid'] : []), ...DEFAULT_SCOPES, ...asked])].join(' ');
}

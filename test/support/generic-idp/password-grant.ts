import { errors, type KoaContextWithOIDC, type default as Provider } from 'oidc-provider';
import { claimsOf, resourceServerInfo, SCOPES } from './configuration.js';
import type { Directory } from './directory.js';

/*
 * The resource owner password grant (RFC 6749 section 4.3), which oidc-provider leaves out: registered as an extension
 * grant, it runs after oidc-provider's own client authentication and "grant type allowed" checks, and issues tokens
 * through oidc-provider's models so that refresh, introspection, userinfo and revocation treat them as their own. Its
 * refusals are oidc-provider's: every credential problem is the one invalid_grant "grant request is invalid", told
 * apart only in error_detail, which oidc-provider never sends.
 */

export const PASSWORD_PARAMETERS = ['username', 'password', 'scope'];

export interface PasswordGrantInput {
  readonly directory: Directory;
  /** The resource server of JWT access tokens, or undefined for opaque ones. */
  readonly jwt: { resource: string; audience: string } | undefined;
  readonly accessTokenSeconds: number;
  readonly refreshTokenNeedsOfflineAccess: boolean;
}

// Not in @types/oidc-provider: the constructor oidc-provider's own grants use for a token's resource server.
type ResourceServerClass = new (identifier: string, info: ReturnType<typeof resourceServerInfo>) => unknown;
// Nor are the IdToken fields its grants set.
interface IdTokenFields {
  scope: string;
}

function requestedScopes(scope: string | undefined): string[] {
  const scopes = (scope ?? 'openid').split(' ').filter(Boolean);
  const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0) throw new errors.InvalidScope('requested scope is not allowed', unknown.join(' '));
  return [...new Set(scopes)];
}

function required(ctx: KoaContextWithOIDC, name: string): string {
  const value = ctx.oidc.params?.[name];
  if (typeof value !== 'string' || value === '')
    throw new errors.InvalidRequest(`missing required parameter '${name}'`);
  return value;
}

export function passwordGrant(input: PasswordGrantInput) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> => {
    const provider: Provider = ctx.oidc.provider;
    const client = ctx.oidc.client!;
    const username = required(ctx, 'username');
    const password = required(ctx, 'password');
    const scopes = requestedScopes(ctx.oidc.params?.scope as string | undefined);
    const scope = scopes.join(' ');

    const outcome = input.directory.check(username, password);
    if (outcome === 'unknown') throw new errors.InvalidGrant('unknown user');
    if (outcome === 'wrong_password') throw new errors.InvalidGrant('invalid credentials');
    if (outcome === 'disabled') throw new errors.InvalidGrant('user is disabled');

    const account = await provider.Account.findAccount(ctx, outcome.id);
    if (!account) throw new errors.InvalidGrant('account not found');
    ctx.oidc.entity('Account', account);

    const grant = new provider.Grant({ accountId: outcome.id, clientId: client.clientId });
    grant.addOIDCScope(scope);
    if (input.jwt) grant.addResourceScope(input.jwt.resource, scope);
    const grantId = await grant.save();
    ctx.oidc.entity('Grant', grant);

    const common = { accountId: outcome.id, client, grantId, gty: 'password', scope };
    const at = new provider.AccessToken(common);
    if (input.jwt) {
      const ResourceServer = (provider as unknown as { ResourceServer: ResourceServerClass }).ResourceServer;
      (at as unknown as { resourceServer: unknown }).resourceServer = new ResourceServer(
        input.jwt.resource,
        resourceServerInfo(input.jwt.audience, input.accessTokenSeconds),
      );
    }
    ctx.oidc.entity('AccessToken', at);
    const accessToken = await at.save();

    let refreshToken: string | undefined;
    const offline = scopes.includes('offline_access');
    if (client.grantTypeAllowed('refresh_token') && (offline || !input.refreshTokenNeedsOfflineAccess)) {
      const rt = new provider.RefreshToken({
        ...common,
        rotations: 0,
        ...(input.jwt ? { resource: input.jwt.resource } : {}),
      });
      ctx.oidc.entity('RefreshToken', rt);
      refreshToken = await rt.save();
    }

    let idToken: string | undefined;
    if (scopes.includes('openid')) {
      const person = input.directory.byId(outcome.id)!;
      const token = new provider.IdToken(claimsOf(person), { ctx });
      (token as unknown as IdTokenFields).scope = scope;
      token.set('at_hash', accessToken);
      idToken = await token.issue({ use: 'idtoken' });
    }

    ctx.body = {
      access_token: accessToken,
      expires_in: at.expiration,
      ...(idToken ? { id_token: idToken } : {}),
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
      scope,
      token_type: 'Bearer',
    };
    await next();
  };
}

import { authenticateClient } from './client-auth.js';
import { clientCredentialsGrant } from './client-credentials-grant.js';
import type { EndpointRequest, IdpContext } from './context.js';
import { KC } from './keycloak-error.js';
import { passwordGrant } from './password-grant.js';
import type { RealmClient } from './realm-file.js';
import { refreshGrant } from './refresh-grant.js';
import type { TokenResponse } from './tokens.js';

export type Grant = (ctx: IdpContext, client: RealmClient, req: EndpointRequest) => Promise<TokenResponse>;

/**
 * Keycloak's TokenEndpoint.processGrantRequest, checks in its order: realm enabled, grant_type present and known
 * (before any client authentication), client authentication, bearer-only, duplicated parameters, then the grant.
 */
export async function tokenEndpoint(
  ctx: IdpContext,
  req: EndpointRequest,
  extraGrants: Readonly<Record<string, Grant>> = {},
): Promise<TokenResponse> {
  if (!ctx.realm.settings.enabled) throw KC.realmDisabled();
  const grantType = req.form.get('grant_type');
  if (grantType === undefined) throw KC.missingGrantType();
  const grants: Record<string, Grant> = {
    password: passwordGrant,
    refresh_token: refreshGrant,
    client_credentials: clientCredentialsGrant,
    ...extraGrants,
  };
  const grant = Object.hasOwn(grants, grantType) ? grants[grantType] : undefined;
  if (!grant) throw KC.unsupportedGrantType();
  const client = authenticateClient(ctx.realm, req.presented);
  if (client.bearerOnly) throw KC.bearerOnly();
  if (req.form.hasDuplicates()) throw KC.duplicatedParameter();
  return grant(ctx, client, req);
}

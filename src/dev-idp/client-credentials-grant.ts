import type { EndpointRequest, IdpContext } from './context.js';
import { KC } from './keycloak-error.js';
import type { RealmClient } from './realm-file.js';
import { grantScope } from './scopes.js';
import type { TokenResponse } from './tokens.js';

/** client_credentials (Keycloak's ClientCredentialsGrantType): an access token for the client's service-account user. */
export async function clientCredentialsGrant(
  ctx: IdpContext,
  client: RealmClient,
  req: EndpointRequest,
): Promise<TokenResponse> {
  if (client.publicClient) throw KC.publicClientServiceAccount();
  if (!client.serviceAccountsEnabled) throw KC.serviceAccountsDisabled();
  const user = ctx.realm.serviceAccountOf(client.clientId);
  if (!user) throw KC.serviceAccountMissing();
  if (!user.enabled) throw KC.serviceAccountDisabled(user.username);
  const grant = grantScope(client, req.form.get('scope'));
  return ctx.minter.forServiceAccount({ user, client, grant, remoteAddress: req.remoteAddress });
}

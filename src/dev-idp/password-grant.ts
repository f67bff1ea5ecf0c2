import type { EndpointRequest, IdpContext } from './context.js';
import { KC } from './keycloak-error.js';
import { verifyPassword } from './passwords.js';
import type { RealmClient } from './realm-file.js';
import { needsAction } from './realm-model.js';
import { mayGoOffline } from './roles.js';
import { grantScope } from './scopes.js';
import type { TokenResponse } from './tokens.js';

/**
 * The resource owner password grant in Keycloak's order: client allowed, scope valid, then the direct-grant flow
 * (username present, user found and not a service account, enabled, password right), then required actions, then
 * whether the user may have the offline token it asked for.
 */
export async function passwordGrant(
  ctx: IdpContext,
  client: RealmClient,
  req: EndpointRequest,
): Promise<TokenResponse> {
  if (!client.directAccessGrantsEnabled) throw KC.directGrantsDisabled();
  const grant = grantScope(client, req.form.get('scope'));
  const username = req.form.get('username');
  // Keycloak tests for null only: an empty username is looked up, and not found.
  if (username === undefined) throw KC.missingUsername();
  const password = req.form.get('password');
  const invalid = KC.invalidUserCredentials(ctx.passwordGrantErrorStatus);
  const user = ctx.realm.userForLogin(username);
  if (!user || user.serviceAccountClientId !== undefined) {
    await verifyPassword(undefined, password);
    throw invalid;
  }
  // Checked before the password, and not counted as a failed login: a disabled account says so even to a wrong password.
  if (!user.enabled) throw KC.accountDisabled();
  if (!(await verifyPassword(user.password, password))) throw invalid;
  if (needsAction(user)) throw KC.accountNotSetUp();
  if (grant.offline && !mayGoOffline(ctx.realm.name, user)) throw KC.offlineNotAllowed();
  const { session, client: clientSession } = ctx.sessions.create(user.id, client.clientId, grant.scope, grant.offline);
  return ctx.minter.forSession({ user, client, grant, session, clientSession });
}

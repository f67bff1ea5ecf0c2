import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { IdpContext } from './context.js';
import { readForm } from './form.js';
import { escapeHtml, HTML_TYPE, page } from './html.js';
import { KC, KeycloakError } from './keycloak-error.js';
import { verifyPassword } from './passwords.js';
import { needsAction, type User } from './realm-model.js';
import { mayGoOffline } from './roles.js';
import { grantScope } from './scopes.js';
import type { Grant } from './token-endpoint.js';

/*
 * The browser half of the authorization code flow: oidc-provider validates the authorization request and keeps the
 * browser session and the codes; this module shows a plain login page checking the realm's users as Keycloak's login
 * form would, and exchanges codes at the token endpoint for tokens of the same kind as every other grant here.
 */

const LOGIN_PATH = /^\/login-actions\/([A-Za-z0-9_-]+)$/;

// Keycloak's login theme texts (messages_en.properties) for the cases it can tell apart.
const INVALID = 'Invalid username or password.';
const DISABLED = 'Account is disabled, contact your administrator.';
const NOT_SET_UP =
  'Your account is not fully set up (pending required actions); the development IdP cannot complete them.';

async function checkLogin(ctx: IdpContext, username: string, password: string): Promise<User | string> {
  const user = ctx.realm.userForLogin(username);
  if (!user || user.serviceAccountClientId !== undefined) {
    await verifyPassword(undefined, password);
    return INVALID;
  }
  if (!user.enabled) return DISABLED;
  if (!(await verifyPassword(user.password, password))) return INVALID;
  if (needsAction(user)) return NOT_SET_UP;
  return user;
}

function loginPage(action: string, message?: string, username = ''): string {
  return page(
    'Sign in',
    `${message ? `<p role="alert">${escapeHtml(message)}</p>` : ''}
<form method="post" action="${escapeHtml(action)}">
<label>Username or email <input name="username" autocomplete="username" value="${escapeHtml(username)}" autofocus></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button type="submit">Sign in</button>
</form>`,
  );
}

function html(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': HTML_TYPE, 'Cache-Control': 'no-store' });
  res.end(body);
}

/** Serves `/realms/<realm>/login-actions/<uid>`, where oidc-provider sends a browser that has to log in. */
export function loginRoutes(
  ctx: IdpContext,
  provider: Provider,
): (req: IncomingMessage, res: ServerResponse, path: string) => Promise<boolean> {
  return async (req, res, path) => {
    const match = LOGIN_PATH.exec(path);
    if (!match || (req.method !== 'GET' && req.method !== 'POST')) return false;
    const action = (req.url ?? '').split('?')[0] ?? '';
    let details;
    try {
      details = await provider.interactionDetails(req, res);
    } catch {
      html(
        res,
        400,
        page('Error', '<p>This login page has expired or was opened in another browser. Start the login again.</p>'),
      );
      return true;
    }
    if (details.uid !== match[1]) {
      html(res, 400, page('Error', '<p>This login page does not belong to the login in progress.</p>'));
      return true;
    }
    if (req.method === 'GET') {
      html(res, 200, loginPage(action));
      return true;
    }
    const form = await readForm(req);
    const username = form.get('username') ?? '';
    const outcome = await checkLogin(ctx, username, form.get('password') ?? '');
    if (typeof outcome === 'string') {
      html(res, 200, loginPage(action, outcome, username));
      return true;
    }
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: outcome.id } },
      { mergeWithLastSubmission: false },
    );
    return true;
  };
}

function pkceMatches(verifier: string, challenge: string, method: string | undefined): boolean {
  if (method === 'plain') return verifier === challenge;
  return createHash('sha256').update(verifier, 'ascii').digest('base64url') === challenge;
}

/** grant_type=authorization_code with Keycloak's answers (AuthorizationCodeGrantType), for codes oidc-provider issued. */
export function authorizationCodeGrant(provider: Provider): Grant {
  return async (ctx, client, req) => {
    if (!client.standardFlowEnabled) throw KC.codeFlowDisabled();
    const value = req.form.get('code');
    if (value === undefined) throw KC.missingCode();
    const code = await provider.AuthorizationCode.find(value);
    if (!code || !code.isValid) throw KC.codeNotValid();
    // Keycloak's code parser burns a code on first use, whatever the outcome of the checks after it.
    await code.consume();
    if (code.clientId !== client.clientId) throw new KeycloakError(400, 'invalid_grant', 'Auth error');
    if (code.redirectUri !== undefined && code.redirectUri !== req.form.get('redirect_uri'))
      throw KC.incorrectRedirectUri();
    if (code.codeChallenge !== undefined) {
      const verifier = req.form.get('code_verifier');
      if (verifier === undefined) throw new KeycloakError(400, 'invalid_grant', 'PKCE code verifier not specified');
      if (!pkceMatches(verifier, code.codeChallenge, code.codeChallengeMethod)) throw KC.pkceMismatch();
    }
    const user = code.accountId === undefined ? undefined : ctx.realm.userById(code.accountId);
    if (!user || !user.enabled) throw KC.codeNotValid();
    const grant = grantScope(client, code.scope);
    if (grant.offline && !mayGoOffline(ctx.realm.name, user)) throw KC.offlineNotAllowed();
    const { session, client: clientSession } = ctx.sessions.create(
      user.id,
      client.clientId,
      grant.scope,
      grant.offline,
      true,
    );
    return ctx.minter.forSession({
      user,
      client,
      grant,
      session,
      clientSession,
      ...(code.nonce === undefined ? {} : { nonce: code.nonce }),
    });
  };
}

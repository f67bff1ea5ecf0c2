import type { Request, Response } from 'express';
import type { IdentityProvider, TokenSet } from '../idp/identity-provider.js';
import type { User } from '../contract/user.js';
import { loginBudgetOf } from './login-budget.js';
import { errorFor, hashForLog } from './route-helpers.js';
import { loginBody, parseBody } from './validation.js';

/**
 * The part of a password login both modes share: check the body, count the attempt against the account's failure
 * budget (see LoginBudget), ask the provider, read who logged in, settle the attempt.
 */
export async function passwordLogin(
  identityProvider: IdentityProvider,
  req: Request,
  res: Response,
): Promise<{ tokens: TokenSet; user: User }> {
  const { username, password, scope } = parseBody(
    loginBody,
    req.body,
    ['username', 'password'],
    'credentials_required',
  );
  res.locals.logFields = { usernameHash: hashForLog(username) };
  const attempt = await loginBudgetOf(res).begin(username);
  const login = await identityProvider
    .passwordLogin({ username, password, ...(scope ? { scope } : {}) })
    .catch(attempt.failed);
  if (!login.ok) throw await attempt.refused(login.error);
  const { tokens, user } = login;
  await attempt.admitted(user, () => endProviderSession(identityProvider, tokens));
  return { tokens, user };
}

async function endProviderSession(identityProvider: IdentityProvider, tokens: TokenSet): Promise<void> {
  // Without a refresh token (a provider that gives one only for offline_access) there is nothing to end it with.
  if (!tokens.refresh_token) return;
  const ended = await identityProvider.logout(tokens.refresh_token);
  if (!ended.ok) throw errorFor(ended.error);
}

import type { Request, Response } from 'express';
import type { IdentityProvider, TokenSet } from '../idp/identity-provider.js';
import type { User } from '../contract/user.js';
import { loginBudgetOf } from './login-budget.js';
import { hashForLog } from './route-helpers.js';
import { loginBody, parseBody } from './validation.js';

/**
 * The part of a password login both modes share: check the body, count the attempt against the account's failure
 * budget (see LoginBudget), ask the provider, read who logged in, settle the attempt.
 */
export async function passwordLogin(identityProvider: IdentityProvider, req: Request, res: Response): Promise<{ tokens: TokenSet; user: User }> {
  const { username, password, scope } = parseBody(loginBody, req.body, ['username', 'password'], 'credentials_required');
  res.locals.logFields = { usernameHash: hashForLog(username) };
  const attempt = await loginBudgetOf(res).begin(username);
  let outcome: { tokens: TokenSet; user: User };
  try {
    const tokens = await identityProvider.passwordLogin({ username, password, ...(scope ? { scope } : {}) });
    const { user } = await identityProvider.verifyAccessToken(tokens.access_token);
    outcome = { tokens, user };
  } catch (err) {
    throw await attempt.refused(err);
  }
  const { tokens, user } = outcome;
  await attempt.admitted(user, () => endProviderSession(identityProvider, tokens));
  return { tokens, user };
}

function endProviderSession(identityProvider: IdentityProvider, tokens: TokenSet): Promise<void> {
  if (!tokens.refresh_token) return Promise.reject(new Error('the provider gave no refresh token to end its session with'));
  return identityProvider.logout(tokens.refresh_token);
}

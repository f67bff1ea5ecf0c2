import type { Request, Response } from 'express';
import type { IdentityProvider, TokenSet, User } from '../idp/identity-provider.js';
import { hashForLog } from './route-helpers.js';
import { loginBody, parseBody } from './validation.js';

/** The part of a password login both modes share: check the body, ask the provider, read who logged in. */
export async function passwordLogin(identityProvider: IdentityProvider, req: Request, res: Response): Promise<{ tokens: TokenSet; user: User }> {
  const { username, password, scope } = parseBody(loginBody, req.body, ['username', 'password'], 'credentials_required');
  res.locals.logFields = { usernameHash: hashForLog(username) };
  const tokens = await identityProvider.passwordLogin({ username, password, ...(scope ? { scope } : {}) });
  const { user } = await identityProvider.verifyAccessToken(tokens.access_token);
  return { tokens, user };
}

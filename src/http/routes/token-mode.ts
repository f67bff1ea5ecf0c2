import { createHash } from 'node:crypto';
import { Router, type RequestHandler, type Response } from 'express';
import { ApiError } from '../../errors/api-error.js';
import type { IdentityProvider, TokenSet } from '../../idp/identity-provider.js';
import type { Logger } from '../../observability/logger.js';
import type { AccessTokenDenylist } from '../../stores/denylist.js';
import { bearerToken } from '../bearer.js';
import { loginBody, logoutBody, parseBody, refreshBody } from '../validation.js';

export interface TokenModeDeps {
  identityProvider: IdentityProvider;
  /** Runs before the login handler (rate limits). */
  loginGuards: RequestHandler[];
  denylist: AccessTokenDenylist;
  logger: Logger;
}

/**
 * Token mode: the provider's tokens are handed to the client in JSON, the contract older clients were written
 * against. The refresh endpoint's bodies are kept exactly as they always were.
 */
export function tokenModeRoutes({ identityProvider, loginGuards, denylist, logger }: TokenModeDeps): Router {
  const router = Router();

  router.post('/login', markEvent('auth.login'), ...loginGuards, async (req, res) => {
    const { username, password, scope } = parseBody(loginBody, req.body, ['username', 'password'], 'credentials_required');
    res.locals.logFields = { usernameHash: hashForLog(username) };
    const tokens = await identityProvider.passwordLogin({ username, password, ...(scope ? { scope } : {}) });
    const { user } = await identityProvider.verifyAccessToken(tokens.access_token);
    logger.info('auth.login.succeeded', { event: 'auth.login.succeeded', sub: user.sub });
    noStore(res).json({ message: 'Login successful', token: publicTokens(tokens), user });
  });

  router.post('/refresh-token', markEvent('auth.refresh'), async (req, res) => {
    const { refresh_token } = parseBody(refreshBody, req.body, ['refresh_token'], 'refresh_token_required');
    const tokens = await identityProvider.refresh(refresh_token);
    logger.info('auth.refresh.succeeded', { event: 'auth.refresh.succeeded' });
    noStore(res).json({ message: 'Token refreshed successfully', token: publicTokens(tokens) });
  });

  router.post('/logout', markEvent('auth.logout'), async (req, res) => {
    const { refresh_token } = parseBody(logoutBody, req.body, ['refresh_token'], 'refresh_token_required');
    // The access token is refused from now on even if ending the provider session fails below.
    const sub = await denyAccessToken(bearerToken(req));
    await identityProvider.logout(refresh_token);
    logger.info('auth.logout', { event: 'auth.logout', ...(sub ? { sub } : {}) });
    noStore(res).json({ message: 'Logged out' });
  });

  router.get('/me', markEvent('auth.me'), async (req, res) => {
    const token = bearerToken(req);
    if (!token) throw new ApiError('unauthenticated');
    const verified = await identityProvider.verifyAccessToken(token);
    if (verified.jti && (await denylist.has(verified.jti))) throw new ApiError('token_revoked');
    noStore(res).json({ user: verified.user });
  });

  async function denyAccessToken(token: string | undefined): Promise<string | undefined> {
    if (!token) return undefined;
    try {
      const verified = await identityProvider.verifyAccessToken(token);
      if (verified.jti) await denylist.add(verified.jti, verified.expiresAt);
      return verified.user.sub;
    } catch (err) {
      // An expired or foreign access token needs no denying; logout goes on with the refresh token.
      if (err instanceof ApiError && err.status === 401) return undefined;
      throw err;
    }
  }

  return router;
}

/** Names the operation so that the error middleware logs its failure as `<event>.failed`. */
function markEvent(event: string): RequestHandler {
  return (_req, res, next) => {
    res.locals.event = event;
    next();
  };
}

function publicTokens(tokens: TokenSet): TokenSet {
  const { access_token, refresh_token, id_token, expires_in, refresh_expires_in, token_type, scope } = tokens;
  return { access_token, refresh_token, id_token, expires_in, refresh_expires_in, token_type, scope };
}

function noStore(res: Response): Response {
  return res.set('Cache-Control', 'no-store').set('Pragma', 'no-cache');
}

/** Failed logins are logged with a hash of the name: people type passwords into the username field. */
function hashForLog(username: string): string {
  return createHash('sha256').update(username).digest('hex').slice(0, 16);
}

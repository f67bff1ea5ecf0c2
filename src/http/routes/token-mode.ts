import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { LogoutAnswer, MeAnswer } from '../../contract/answers.js';
import { SUCCESS_MESSAGES } from '../../contract/messages.js';
import type { TokenRegisterAnswer } from '../../contract/registration.js';
import type { User } from '../../contract/user.js';
import type { TokenLoginAnswer, TokenRefreshAnswer } from '../../contract/token-mode.js';
import { ApiError } from '../../errors/api-error.js';
import type { IdentityProvider, TokenSet } from '../../idp/identity-provider.js';
import { sessionOfAcceptedRefreshToken } from '../../idp/refresh-token-session.js';
import type { Logger } from '../../observability/logger.js';
import type { AccessTokenDenylist } from '../../stores/denylist.js';
import { bearerToken } from '../bearer.js';
import { passwordLogin } from '../password-login.js';
import { errorFor, markEvent, noStore } from '../route-helpers.js';
import { logoutBody, parseBody, refreshBody } from '../validation.js';

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
    const { tokens, user } = await passwordLogin(identityProvider, req, res);
    denylist.noteLifetime(tokens.expires_in);
    logger.info('auth.login.succeeded', { event: 'auth.login.succeeded', sub: user.sub });
    noStore(res).json({
      message: SUCCESS_MESSAGES.login,
      token: publicTokens(tokens),
      user,
    } satisfies TokenLoginAnswer);
  });

  router.post('/refresh-token', markEvent('auth.refresh'), async (req, res) => {
    const { refresh_token } = parseBody(refreshBody, req.body, ['refresh_token'], 'refresh_token_required');
    const refreshed = await identityProvider.refresh(refresh_token);
    if (!refreshed.ok) throw errorFor(refreshed.error);
    const { tokens } = refreshed;
    denylist.noteLifetime(tokens.expires_in);
    logger.info('auth.refresh.succeeded', { event: 'auth.refresh.succeeded' });
    noStore(res).json({ message: SUCCESS_MESSAGES.refresh, token: publicTokens(tokens) } satisfies TokenRefreshAnswer);
  });

  router.post('/logout', markEvent('auth.logout'), async (req, res) => {
    const { refresh_token } = parseBody(logoutBody, req.body, ['refresh_token'], 'refresh_token_required');
    // The access token is refused from now on even if ending the provider session fails below.
    const sub = await denyAccessToken(bearerToken(req));
    const ended = await identityProvider.logout(refresh_token);
    if (!ended.ok) throw errorFor(ended.error);
    // The provider accepted this refresh token and ended its session: every access token of that session goes too,
    // whether or not one came along. Only now is the token's sid trusted; a forged one was refused just above.
    const sid = sessionOfAcceptedRefreshToken(refresh_token);
    if (sid) await denylist.addSession(sid);
    logger.info('auth.logout', { event: 'auth.logout', ...(sub ? { sub } : {}) });
    noStore(res).json({ message: SUCCESS_MESSAGES.logout } satisfies LogoutAnswer);
  });

  router.get('/me', markEvent('auth.me'), async (req, res) => {
    const token = bearerToken(req);
    if (!token) throw new ApiError('unauthenticated');
    const checked = await identityProvider.verifyAccessToken(token);
    if (!checked.ok) throw errorFor(checked.error);
    denylist.noteExpiry(checked.token.expiresAt);
    if (await denylist.refuses(checked.token)) throw new ApiError('token_revoked');
    noStore(res).json({ user: checked.token.user } satisfies MeAnswer);
  });

  async function denyAccessToken(token: string | undefined): Promise<string | undefined> {
    if (!token) return undefined;
    const checked = await identityProvider.verifyAccessToken(token);
    // An expired or foreign access token needs no denying; logout goes on with the refresh token.
    if (!checked.ok) return undefined;
    const verified = checked.token;
    denylist.noteExpiry(verified.expiresAt);
    if (verified.jti) await denylist.add(verified.jti, verified.expiresAt);
    return verified.user.sub;
  }

  return router;
}

/** Token mode's 201 to a registration that logged the new user in: the tokens, as login hands them over. */
export function tokenRegisterAnswer(denylist: AccessTokenDenylist) {
  return async (_req: Request, res: Response, tokens: TokenSet, user: User): Promise<void> => {
    denylist.noteLifetime(tokens.expires_in);
    noStore(res)
      .status(201)
      .json({ message: SUCCESS_MESSAGES.register, user, token: publicTokens(tokens) } satisfies TokenRegisterAnswer);
  };
}

function publicTokens(tokens: TokenSet): TokenSet {
  const { access_token, refresh_token, id_token, expires_in, refresh_expires_in, token_type, scope } = tokens;
  return { access_token, refresh_token, id_token, expires_in, refresh_expires_in, token_type, scope };
}

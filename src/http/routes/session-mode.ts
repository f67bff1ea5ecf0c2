import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { LogoutAnswer, MeAnswer } from '../../contract/answers.js';
import { HEADERS } from '../../contract/http.js';
import { SUCCESS_MESSAGES } from '../../contract/messages.js';
import type { SessionRegisterAnswer } from '../../contract/registration.js';
import type { User } from '../../contract/user.js';
import type { SessionAnswer, SessionLoginAnswer, SessionRefreshAnswer } from '../../contract/session-mode.js';
import { ApiError } from '../../errors/api-error.js';
import type { IdentityProvider, TokenSet } from '../../idp/identity-provider.js';
import type { Logger } from '../../observability/logger.js';
import { sessionTimes, sessionExpiresAt } from '../../sessions/auth-state.js';
import type { NoSession, RefreshFailed, SessionEnded } from '../../sessions/session-outcomes.js';
import type { Sessions } from '../../sessions/sessions.js';
import { passwordLogin } from '../password-login.js';
import { errorFor, markEvent, noStore } from '../route-helpers.js';

export interface SessionModeDeps {
  identityProvider: IdentityProvider;
  sessions: Sessions;
  /** Runs before the login handler (rate limits). */
  loginGuards: RequestHandler[];
  logger: Logger;
}

export const REFRESHED_HEADER = HEADERS.sessionRefreshed;

/**
 * Session mode, the BFF proper: the tokens stay in the server-side session, the browser holds an HttpOnly cookie,
 * and the gateway refreshes by itself. No response here ever carries a token. Every route finds its session through
 * `sessions`, whichever way that reads it.
 */
export function sessionModeRoutes({ identityProvider, sessions, loginGuards, logger }: SessionModeDeps): Router {
  const router = Router();

  router.get('/session', markEvent('auth.session'), async (req, res) => {
    // Always 200 for a logged-out browser: this is how an SPA asks "am I logged in?" without triggering a refresh.
    const found = await sessions.current(req, res);
    const state = found.kind === 'active' ? found.session : undefined;
    const answer: SessionAnswer = state
      ? { authenticated: true, user: state.user, expires_at: new Date(sessionExpiresAt(state)).toISOString() }
      : { authenticated: false };
    noStore(res).json(answer);
  });

  router.get('/me', markEvent('auth.me'), async (req, res) => {
    const found = await sessions.fresh(req, res);
    if (found.kind !== 'active') throw unusable(found);
    // Tells the client (the SDK's `refreshed` event) that this answer came with new tokens in the session.
    if (found.refreshed) res.set(REFRESHED_HEADER, '1');
    noStore(res).json({ user: found.session.user } satisfies MeAnswer);
  });

  router.post('/login', markEvent('auth.login'), ...loginGuards, async (req, res) => {
    const { tokens, user } = await passwordLogin(identityProvider, req, res);
    const state = await sessions.establish(req, res, tokens, user);
    logger.info('auth.login.succeeded', { event: 'auth.login.succeeded', sub: user.sub });
    noStore(res).json({
      message: SUCCESS_MESSAGES.login,
      user,
      session: sessionTimes(state),
    } satisfies SessionLoginAnswer);
  });

  router.post('/refresh-token', markEvent('auth.refresh'), async (req, res) => {
    const refreshed = await sessions.refresh(req, res);
    if (refreshed.kind !== 'active') throw unusable(refreshed);
    noStore(res).json({
      message: SUCCESS_MESSAGES.refresh,
      session: sessionTimes(refreshed.session),
    } satisfies SessionRefreshAnswer);
  });

  router.post('/logout', markEvent('auth.logout'), async (req, res) => {
    const sub = await sessions.logout(req, res);
    logger.info('auth.logout', { event: 'auth.logout', ...(sub ? { sub } : {}) });
    noStore(res).json({ message: SUCCESS_MESSAGES.logout } satisfies LogoutAnswer);
  });

  return router;
}

/** Session mode's 201 to a registration that logged the new user in: a session, as login starts one. */
export function sessionRegisterAnswer(sessions: Sessions) {
  return async (req: Request, res: Response, tokens: TokenSet, user: User): Promise<void> => {
    const state = await sessions.establish(req, res, tokens, user);
    noStore(res)
      .status(201)
      .json({
        message: SUCCESS_MESSAGES.register,
        user,
        session: sessionTimes(state),
      } satisfies SessionRegisterAnswer);
  };
}

/** The contract's answer for a request that has no session it can use. */
function unusable(outcome: NoSession | SessionEnded | RefreshFailed): ApiError {
  switch (outcome.kind) {
    case 'none':
      return new ApiError('unauthenticated');
    case 'ended': {
      const { reason, refusal } = outcome;
      return new ApiError('session_expired', { cause: refusal?.cause, logFields: { reason, ...refusal?.logFields } });
    }
    case 'failed':
      return errorFor(outcome.error);
  }
}

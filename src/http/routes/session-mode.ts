import { Router, type RequestHandler } from 'express';
import { ApiError } from '../../errors/api-error.js';
import type { IdentityProvider } from '../../idp/identity-provider.js';
import type { Logger } from '../../observability/logger.js';
import { sessionTimes, sessionExpiresAt } from '../../sessions/auth-state.js';
import type { SessionService } from '../../sessions/session-service.js';
import { passwordLogin } from '../password-login.js';
import { markEvent, noStore } from '../route-helpers.js';

export interface SessionModeDeps {
  identityProvider: IdentityProvider;
  sessions: SessionService;
  /** Runs before the login handler (rate limits). */
  loginGuards: RequestHandler[];
  logger: Logger;
}

/**
 * Session mode, the BFF proper: the tokens stay in the server-side session, the browser holds an HttpOnly cookie,
 * and the gateway refreshes by itself. No response here ever carries a token.
 */
export function sessionModeRoutes({ identityProvider, sessions, loginGuards, logger }: SessionModeDeps): Router {
  const router = Router();

  router.post('/login', markEvent('auth.login'), ...loginGuards, async (req, res) => {
    const { tokens, user } = await passwordLogin(identityProvider, req, res);
    const state = await sessions.establish(req, tokens, user);
    logger.info('auth.login.succeeded', { event: 'auth.login.succeeded', sub: user.sub });
    noStore(res).json({ message: 'Login successful', user, session: sessionTimes(state) });
  });

  router.get('/session', markEvent('auth.session'), async (req, res) => {
    // Always 200 for a logged-out browser: this is how an SPA asks "am I logged in?" without triggering a refresh.
    const state = await sessions.current(req, res).catch((err: unknown) => {
      if (err instanceof ApiError && err.code === 'session_expired') return undefined;
      throw err;
    });
    noStore(res).json(state ? { authenticated: true, user: state.user, expires_at: new Date(sessionExpiresAt(state)).toISOString() } : { authenticated: false });
  });

  router.get('/me', markEvent('auth.me'), async (req, res) => {
    const state = await sessions.fresh(req, res);
    noStore(res).json({ user: state.user });
  });

  router.post('/refresh-token', markEvent('auth.refresh'), async (req, res) => {
    const state = await sessions.current(req, res);
    if (!state) throw new ApiError('unauthenticated');
    const refreshed = await sessions.refresh(req, res, state);
    noStore(res).json({ message: 'Token refreshed successfully', session: sessionTimes(refreshed) });
  });

  router.post('/logout', markEvent('auth.logout'), async (req, res) => {
    const sub = await sessions.logout(req, res);
    logger.info('auth.logout', { event: 'auth.logout', ...(sub ? { sub } : {}) });
    noStore(res).json({ message: 'Logged out' });
  });

  return router;
}

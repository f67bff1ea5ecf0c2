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
 * Session mode's reads, mounted before express-session: they find the session through SessionReader and change it
 * only through the store (a transparent refresh's compare-and-set, or ending a session past its limit).
 */
export function sessionReadRoutes({ sessions }: Pick<SessionModeDeps, 'sessions'>): Router {
  const router = Router();

  router.get('/session', markEvent('auth.session'), async (req, res) => {
    // Always 200 for a logged-out browser: this is how an SPA asks "am I logged in?" without triggering a refresh.
    const session = await sessions.current(await sessions.lookup(req), res).catch((err: unknown) => {
      if (err instanceof ApiError && err.code === 'session_expired') return undefined;
      throw err;
    });
    const state = session?.summary;
    noStore(res).json(state ? { authenticated: true, user: state.user, expires_at: new Date(sessionExpiresAt(state)).toISOString() } : { authenticated: false });
  });

  router.get('/me', markEvent('auth.me'), async (req, res) => {
    const state = await sessions.fresh(await sessions.lookup(req), res);
    noStore(res).json({ user: state.user });
  });

  return router;
}

/**
 * Session mode, the BFF proper: the tokens stay in the server-side session, the browser holds an HttpOnly cookie,
 * and the gateway refreshes by itself. No response here ever carries a token. These routes run behind express-session.
 */
export function sessionModeRoutes({ identityProvider, sessions, loginGuards, logger }: SessionModeDeps): Router {
  const router = Router();

  router.post('/login', markEvent('auth.login'), ...loginGuards, async (req, res) => {
    const { tokens, user } = await passwordLogin(identityProvider, req, res);
    const state = await sessions.establish(req, tokens, user);
    logger.info('auth.login.succeeded', { event: 'auth.login.succeeded', sub: user.sub });
    noStore(res).json({ message: 'Login successful', user, session: sessionTimes(state) });
  });

  router.post('/refresh-token', markEvent('auth.refresh'), async (req, res) => {
    const session = await sessions.current(sessions.attached(req), res);
    if (!session) throw new ApiError('unauthenticated');
    const refreshed = await sessions.refresh(session, res);
    noStore(res).json({ message: 'Token refreshed successfully', session: sessionTimes(refreshed) });
  });

  router.post('/logout', markEvent('auth.logout'), async (req, res) => {
    const sub = await sessions.logout(req, res);
    logger.info('auth.logout', { event: 'auth.logout', ...(sub ? { sub } : {}) });
    noStore(res).json({ message: 'Logged out' });
  });

  return router;
}

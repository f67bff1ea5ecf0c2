import type { Request, Response } from 'express';
import type { Clock } from '../support/clock.js';
import { ApiError } from '../errors/api-error.js';
import type { IdentityProvider, TokenSet } from '../idp/identity-provider.js';
import type { User } from '../contract/user.js';
import type { Logger } from '../observability/logger.js';
import { authOf, needsRefresh, newAuthState, SessionAuth, sessionIsOver, type AuthState, type SessionLimits, type SessionSummary } from './auth-state.js';
import type { SessionCookie } from './session-cookie.js';
import type { SessionReader, SessionRef } from './session-reader.js';
import type { SessionRefresher } from './session-refresher.js';

export interface SessionServiceOptions {
  identityProvider: IdentityProvider;
  refresher: SessionRefresher;
  reader: SessionReader;
  cookie: SessionCookie;
  clock: Clock;
  logger: Logger;
  limits: SessionLimits;
  refreshSkewMs: number;
}

export const REFRESHED_HEADER = 'X-Session-Refreshed';

/** What the session-mode routes do with a session: start it, keep its tokens fresh, end it. */
export class SessionService {
  constructor(private readonly options: SessionServiceOptions) {}

  /** The session of a request that went through express-session (login, logout, refresh, the code flow). */
  attached(req: Request): SessionRef | undefined {
    const state = authOf(req.session);
    return state ? { id: req.sessionID, summary: state, state: () => state, destroy: () => destroyAttached(req) } : undefined;
  }

  /** The session of a read-only request, read without express-session (see SessionReader). */
  lookup(req: Request): Promise<SessionRef | undefined> {
    return this.options.reader.read(req);
  }

  /** The logged-in session, or undefined. A session past its absolute limit is ended here. */
  async current(found: SessionRef | undefined, res: Response): Promise<SessionRef | undefined> {
    if (!found) return undefined;
    if (sessionIsOver(found.summary, this.options.clock.now())) {
      await this.discard(found, res);
      throw new ApiError('session_expired', { logFields: { reason: 'session_limit_reached' } });
    }
    return found;
  }

  /** The session with an access token that is not about to expire, refreshing first when it is. */
  async fresh(found: SessionRef | undefined, res: Response): Promise<SessionSummary> {
    const session = await this.current(found, res);
    if (!session) throw new ApiError('unauthenticated');
    if (!needsRefresh(session.summary, this.options.clock.now(), this.options.refreshSkewMs)) return session.summary;
    const refreshed = await this.refresh(session, res);
    // Tells the client (the SDK's `refreshed` event) that this answer came with new tokens in the session.
    res.set(REFRESHED_HEADER, '1');
    return refreshed;
  }

  /** New tokens now, coordinated with every other request and instance. */
  async refresh(session: SessionRef, res: Response): Promise<AuthState> {
    try {
      return await this.options.refresher.refresh(session.id, session.state());
    } catch (err) {
      if (err instanceof ApiError && err.code === 'session_expired') this.clearCookie(res);
      throw err;
    }
  }

  /**
   * Starts a session for freshly issued tokens under a new session id (no fixation). If the session cannot be
   * stored, the provider session just created is ended too, so nothing is left behind.
   */
  async establish(req: Request, tokens: TokenSet, user: User): Promise<AuthState> {
    const { identityProvider, clock, limits, logger } = this.options;
    const previous = authOf(req.session);
    if (previous?.refreshToken) {
      // Logging in again in the same browser (perhaps as someone else): the old provider session ends here.
      await identityProvider.logout(previous.refreshToken).catch(() => undefined);
    }
    const state = newAuthState(tokens, user, clock.now(), limits);
    try {
      await promisify((cb) => req.session.regenerate(cb));
      req.session.auth = new SessionAuth(state);
      await promisify((cb) => req.session.save(cb));
    } catch (err) {
      if (tokens.refresh_token) await identityProvider.logout(tokens.refresh_token).catch(() => undefined);
      throw err;
    }
    logger.info('session.started', { event: 'session.started', sub: user.sub });
    return state;
  }

  /**
   * Ends the provider's session, then ours. A provider that already ended it (invalid_grant) is fine; one that cannot
   * be reached keeps our session, so that logging out again can still end the provider's.
   */
  async logout(req: Request, res: Response): Promise<string | undefined> {
    const state = authOf(req.session);
    if (state?.refreshToken) {
      try {
        await this.options.identityProvider.logout(state.refreshToken);
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 'invalid_grant')) throw err;
      }
    }
    await destroyAttached(req);
    this.clearCookie(res);
    return state?.user.sub;
  }

  clearCookie(res: Response): void {
    const { name, options } = this.options.cookie;
    res.clearCookie(name, options);
  }

  /** Destroys the session in the store (and in this request, so express-session writes nothing back). */
  private async discard(session: SessionRef, res: Response): Promise<void> {
    await session.destroy();
    this.clearCookie(res);
  }
}

function destroyAttached(req: Request): Promise<void> {
  return promisify((cb) => req.session.destroy(cb));
}

function promisify(start: (cb: (err?: unknown) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => start((err) => (err ? reject(err) : resolve())));
}

import type { Request, Response } from 'express';
import type { Clock } from '../support/clock.js';
import type { IdentityProvider, TokenSet } from '../idp/identity-provider.js';
import type { User } from '../contract/user.js';
import type { Logger } from '../observability/logger.js';
import type { KeyValueStore } from '../stores/key-value-store.js';
import {
  authOf,
  needsRefresh,
  newAuthState,
  SessionAuth,
  sessionIsOver,
  type AuthState,
  type SessionLimits,
} from './auth-state.js';
import type { SessionCodec } from './session-codec.js';
import type { SessionCookie } from './session-cookie.js';
import { expressSession, type AttachSession } from './session-middleware.js';
import {
  ended,
  NO_SESSION,
  type ActiveSession,
  type NoSession,
  type RefreshFailed,
  type SessionEnded,
} from './session-outcomes.js';
import { SessionReader, type SessionRef } from './session-reader.js';
import { SessionRefresher } from './session-refresher.js';
import type { VersionedSessionStore } from './versioned-session-store.js';

export interface SessionsOptions {
  identityProvider: IdentityProvider;
  store: VersionedSessionStore;
  /** Refresh locks and results: Redis when several instances share the sessions. */
  shared: KeyValueStore;
  codec: SessionCodec;
  cookie: SessionCookie;
  /** SESSION_SECRET, from which the cookie's signing key is derived. */
  secret: string;
  clock: Clock;
  logger: Logger;
  limits: SessionLimits;
  refreshSkewMs: number;
  /** The provider's timeout: bounds how long a refresh waits for one running elsewhere. */
  idpTimeoutMs: number;
}

/** A session a request can use, or why there is none. */
export type SessionAnswer = ActiveSession | NoSession | SessionEnded | RefreshFailed;

/**
 * The one way into a session for the routes: from the cookie to the session, for reads and writes alike. Reading a
 * session and refreshing its tokens go through SessionReader, without express-session's per-request work (see there);
 * starting and ending one go through express-session, run for the request by the operation that needs it. No route
 * knows which path it is on, and the routes can be mounted in any order.
 *
 * Every ordinary outcome (no session, a session ended here, a refresh refused) is a value; only the unexpected (the
 * store or the provider unreachable) is thrown.
 */
export class Sessions {
  private readonly reader: SessionReader;
  private readonly refresher: SessionRefresher;
  private readonly attach: AttachSession;

  constructor(private readonly options: SessionsOptions) {
    const { identityProvider, store, shared, codec, cookie, secret, clock, logger, idpTimeoutMs } = options;
    this.reader = new SessionReader(store, cookie.name, secret, { issuer: identityProvider.issuer });
    this.refresher = new SessionRefresher({
      identityProvider,
      sessions: store,
      shared,
      codec,
      clock,
      logger,
      idpTimeoutMs,
    });
    this.attach = expressSession(store, cookie, secret);
  }

  /** The session as it stands, never refreshed (GET /session). */
  async current(req: Request, res: Response): Promise<ActiveSession | NoSession | SessionEnded> {
    const found = await this.live(req, res);
    return found.kind === 'found' ? active(found.ref, false) : found;
  }

  /** The session with an access token that is not about to expire, refreshed first when it is (GET /me). */
  async fresh(req: Request, res: Response): Promise<SessionAnswer> {
    const found = await this.live(req, res);
    if (found.kind !== 'found') return found;
    if (!needsRefresh(found.ref.summary, this.options.clock.now(), this.options.refreshSkewMs))
      return active(found.ref, false);
    return this.refreshed(found.ref, res);
  }

  /** New tokens now, coordinated with every other request and instance (POST /refresh-token). */
  async refresh(req: Request, res: Response): Promise<SessionAnswer> {
    const found = await this.live(req, res);
    return found.kind === 'found' ? this.refreshed(found.ref, res) : found;
  }

  /**
   * Starts a session for freshly issued tokens under a new session id (no fixation). If the session cannot be
   * stored, the provider session just created is ended too, so nothing is left behind.
   */
  async establish(req: Request, res: Response, tokens: TokenSet, user: User): Promise<AuthState> {
    const { identityProvider, clock, limits, logger } = this.options;
    let state: AuthState;
    try {
      await this.attach(req, res);
      const previous = authOf(req.session);
      // Logging in again in the same browser (perhaps as someone else): the old provider session ends here.
      if (previous?.refreshToken) await identityProvider.logout(previous.refreshToken).catch(() => undefined);
      state = newAuthState(tokens, user, clock.now(), limits, identityProvider.issuer);
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
   * Ends the provider's session, then ours; resolves with the user who was logged in. A provider that had already
   * ended it refuses the refresh token (invalid_grant), which is fine; one that cannot be reached throws and keeps our
   * session, so that logging out again can still end the provider's.
   */
  async logout(req: Request, res: Response): Promise<string | undefined> {
    await this.attach(req, res);
    const state = authOf(req.session);
    if (state?.refreshToken) await this.options.identityProvider.logout(state.refreshToken);
    await promisify((cb) => req.session.destroy(cb));
    this.clearCookie(res);
    return state?.user.sub;
  }

  /** The logged-in session of the request; one past its absolute limit is ended here. */
  private async live(
    req: Request,
    res: Response,
  ): Promise<{ kind: 'found'; ref: SessionRef } | NoSession | SessionEnded> {
    const ref = await this.reader.read(req);
    if (!ref) return NO_SESSION;
    if (!sessionIsOver(ref.summary, this.options.clock.now())) return { kind: 'found', ref };
    await ref.destroy();
    this.clearCookie(res);
    return ended('session_limit_reached');
  }

  private async refreshed(session: SessionRef, res: Response): Promise<ActiveSession | SessionEnded | RefreshFailed> {
    const state = session.state();
    const outcome = state ? await this.refresher.refresh(session.id, state) : ended('session_unreadable');
    if (outcome.kind === 'refreshed') return { kind: 'active', session: outcome.state, refreshed: true };
    if (outcome.kind === 'ended') this.clearCookie(res);
    return outcome;
  }

  private clearCookie(res: Response): void {
    const { name, options } = this.options.cookie;
    res.clearCookie(name, options);
  }
}

function active(found: SessionRef, refreshed: boolean): ActiveSession {
  return { kind: 'active', session: found.summary, refreshed };
}

function promisify(start: (cb: (err?: unknown) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => start((err) => (err ? reject(err) : resolve())));
}

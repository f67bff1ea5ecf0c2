import { parseCookie } from 'cookie';
import { unsign } from 'cookie-signature';
import type { Request } from 'express';
import { authOf, type AuthState } from './auth-state.js';
import { cookieSigningSecret } from './secret-keys.js';
import type { VersionedSessionStore } from './versioned-session-store.js';

/** A logged-in session: its id, its state, and how to end it in the store. */
export interface SessionRef {
  id: string;
  state: AuthState;
  destroy(): Promise<void>;
}

/**
 * Reads the session of a request that only reads (GET /me, GET /session) without express-session: the same cookie,
 * checked with the same signature (cookie-signature, as express-session does) and the same store. express-session's
 * per-request work (hashing the session twice, wrapping the response to save it, building its objects) buys nothing
 * on a route that never writes through it, and was the largest part of what the gateway spends on /me. A transparent
 * refresh writes through the store's compare-and-set either way. Login, logout, POST /refresh-token and the code flow
 * keep express-session, which creates, regenerates and destroys sessions and sets the cookie.
 */
export class SessionReader {
  private readonly secret: string;

  constructor(
    private readonly store: VersionedSessionStore,
    private readonly cookieName: string,
    sessionSecret: string,
  ) {
    this.secret = cookieSigningSecret(sessionSecret);
  }

  async read(req: Request): Promise<SessionRef | undefined> {
    const header = req.headers.cookie;
    if (!header) return undefined;
    const value = parseCookie(header)[this.cookieName];
    // express-session's cookie: "s:" then the id signed with HMAC-SHA256. Anything else is no session, as there.
    if (!value?.startsWith('s:')) return undefined;
    const id = unsign(value.slice(2), this.secret);
    if (id === false) return undefined;
    const state = authOf(await this.store.read(id));
    return state ? { id, state, destroy: () => this.store.remove(id) } : undefined;
  }
}

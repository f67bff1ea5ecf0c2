import type { Request, Response } from 'express';
import session from 'express-session';
import { storeUnavailable } from '../stores/store-unavailable.js';
import { cookieSigningSecret } from './secret-keys.js';
import type { SessionCookie } from './session-cookie.js';
import type { VersionedSessionStore } from './versioned-session-store.js';

/** Loads `req.session` through express-session for this one request, which then saves it and sets its cookie as usual. */
export type AttachSession = (req: Request, res: Response) => Promise<void>;

/**
 * express-session, set up so that a request that changes nothing writes nothing: no resave, no empty sessions,
 * no rolling cookie, and a store whose touch does nothing. Only login, refresh (compare-and-set) and logout write.
 * The cookie carries no Max-Age: the session's end is kept on the server, where a refresh can move it.
 *
 * It is not mounted in front of any route: the operations that start or end a session run it when they need it (see
 * Sessions), exactly as the middleware would have run, so no route depends on where it was registered.
 */
export function expressSession(store: VersionedSessionStore, cookie: SessionCookie, secret: string): AttachSession {
  const handler = session({
    name: cookie.name,
    secret: cookieSigningSecret(secret),
    store,
    resave: false,
    saveUninitialized: false,
    rolling: false,
    // unset stays 'keep': with 'destroy', a request whose session could not be read (Redis blinked) would delete the
    // session on its way out. Logout destroys it explicitly.
    unset: 'keep',
    cookie: { ...cookie.options, maxAge: undefined },
  });
  return (req, res) =>
    new Promise((resolve, reject) => {
      handler(req, res, (err?: unknown) => {
        if (err) reject(err);
        // express-session goes on without a session when its store reports a disconnect; that must never pass as
        // "logged out".
        else if (!req.session) reject(storeUnavailable(new Error('express-session found its store disconnected')));
        else resolve();
      });
    });
}

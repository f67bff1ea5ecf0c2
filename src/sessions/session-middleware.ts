import type { RequestHandler } from 'express';
import session from 'express-session';
import { ApiError } from '../errors/api-error.js';
import { cookieSigningSecret } from './secret-keys.js';
import type { SessionCookie } from './session-cookie.js';
import type { VersionedSessionStore } from './versioned-session-store.js';

/**
 * express-session, set up so that a request that changes nothing writes nothing: no resave, no empty sessions,
 * no rolling cookie, and a store whose touch does nothing. Only login, refresh (compare-and-set) and logout write.
 * The cookie carries no Max-Age: the session's end is kept on the server, where a refresh can move it.
 */
export function sessionMiddleware(store: VersionedSessionStore, cookie: SessionCookie, secret: string): RequestHandler {
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
  // express-session goes on without a session when its store reports a disconnect; that must never pass as "logged out".
  return (req, res, next) => {
    handler(req, res, (err?: unknown) => {
      next(err ?? (req.session ? undefined : new ApiError('session_store_unavailable', { headers: { 'Retry-After': '1' } })));
    });
  };
}

import { createHash, randomBytes } from 'node:crypto';
import { parse as parseCookies } from 'cookie';
import { Router } from 'express';
import { ApiError } from '../../errors/api-error.js';
import type { IdentityProvider } from '../../idp/identity-provider.js';
import type { Logger } from '../../observability/logger.js';
import type { SessionCookie } from '../../sessions/session-cookie.js';
import type { SessionCodec } from '../../sessions/session-codec.js';
import type { Sessions } from '../../sessions/sessions.js';
import type { KeyValueStore } from '../../stores/key-value-store.js';
import { sameSecret } from '../../support/constant-time.js';
import { parseReturnTo, sameSitePath } from '../return-to.js';
import { errorFor, markEvent, noStore } from '../route-helpers.js';

export interface CodeFlowDeps {
  identityProvider: IdentityProvider;
  sessions: Sessions;
  /** Where pending logins wait for their callback: single use, ten minutes. */
  shared: KeyValueStore;
  codec: SessionCodec;
  loginCookie: SessionCookie;
  publicUrl: string;
  logger: Logger;
}

interface PendingLogin {
  codeVerifier: string;
  nonce: string;
  returnTo: string;
}

const PENDING_LOGIN_MS = 10 * 60_000;
export const CALLBACK_PATH = '/api/auth/callback';

/**
 * The authorization code flow with PKCE (S256), state and nonce. The pending login is kept on the server under its
 * state, taken (read and deleted) at the callback so it works once, and bound to the browser that started it by a
 * short-lived cookie holding the same state: a callback URL replayed, forged, or carried into another browser is
 * refused with 400 invalid_request.
 */
export function codeFlowRoutes({
  identityProvider,
  sessions,
  shared,
  codec,
  loginCookie,
  publicUrl,
  logger,
}: CodeFlowDeps): Router {
  const router = Router();
  const redirectUri = `${publicUrl}${CALLBACK_PATH}`;

  router.get('/login', markEvent('auth.login_redirect'), async (req, res) => {
    const returnTo = parseReturnTo(req.query.return_to, publicUrl);
    const state = randomBytes(32).toString('base64url');
    const nonce = randomBytes(32).toString('base64url');
    const codeVerifier = randomBytes(32).toString('base64url');
    const codeChallenge = createHash('sha256').update(codeVerifier).digest('base64url');
    const pending: PendingLogin = { codeVerifier, nonce, returnTo };
    await shared.set(`login:${state}`, codec.seal('login', JSON.stringify(pending)), PENDING_LOGIN_MS);
    const location = await identityProvider.authorizationUrl({ redirectUri, state, nonce, codeChallenge });
    res.cookie(loginCookie.name, state, { ...loginCookie.options, maxAge: PENDING_LOGIN_MS });
    noStore(res).redirect(302, location);
  });

  router.get('/callback', markEvent('auth.callback'), async (req, res) => {
    const state = typeof req.query.state === 'string' ? req.query.state : '';
    const bound = parseCookies(req.get('cookie') ?? '')[loginCookie.name] ?? '';
    res.clearCookie(loginCookie.name, loginCookie.options);
    if (!state || !bound || !sameSecret(state, bound)) {
      throw new ApiError('invalid_request', {
        message: 'The login state is missing or does not belong to this browser; start the login again',
        logFields: { reason: state ? 'state_not_bound_to_browser' : 'no_state' },
      });
    }
    const sealed = await shared.take(`login:${state}`);
    if (!sealed) {
      throw new ApiError('invalid_request', {
        message: 'This login has expired or was already completed; start it again',
        logFields: { reason: 'state_unknown_or_used' },
      });
    }
    const opened = codec.unseal(sealed);
    if (opened === undefined) {
      // Sealed under another SESSION_SECRET (it changed while the user was at the provider's page).
      throw new ApiError('invalid_request', {
        message: 'This login has expired or was already completed; start it again',
        logFields: { reason: 'pending_login_unreadable' },
      });
    }
    const pending = JSON.parse(opened) as PendingLogin;
    if (req.query.error !== undefined) {
      const providerError = typeof req.query.error === 'string' ? req.query.error.slice(0, 100) : 'malformed';
      throw new ApiError('invalid_request', {
        message: 'The identity provider did not complete the login',
        logFields: { providerError },
      });
    }
    const callbackUrl = new URL(redirectUri);
    callbackUrl.search = new URL(req.originalUrl, redirectUri).search;
    const login = await identityProvider.exchangeCode({
      callbackUrl,
      redirectUri,
      state,
      nonce: pending.nonce,
      codeVerifier: pending.codeVerifier,
    });
    if (!login.ok) throw errorFor(login.error);
    const { user } = login;
    await sessions.establish(req, res, login.tokens, user);
    logger.info('auth.login.succeeded', { event: 'auth.login.succeeded', sub: user.sub, flow: 'authorization_code' });
    // Checked again on the way out: a pending login stored before the check covered normalisation may hold `//host`.
    noStore(res).redirect(302, sameSitePath(pending.returnTo, publicUrl) ?? '/');
  });

  return router;
}

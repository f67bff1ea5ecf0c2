import { Router, type Request, type RequestHandler, type Response } from 'express';
import { SUCCESS_MESSAGES } from '../../contract/messages.js';
import type { RegisteredAnswer, RegistrationLogin } from '../../contract/registration.js';
import type { User } from '../../contract/user.js';
import { ApiError } from '../../errors/api-error.js';
import type { IdentityProvider, TokenSet } from '../../idp/identity-provider.js';
import type { CreatedUser, UserRegistry } from '../../idp/user-registry.js';
import { describeError } from '../../observability/describe-error.js';
import type { Logger } from '../../observability/logger.js';
import { errorFor, hashForLog, markEvent, noStore } from '../route-helpers.js';
import { parseBody, registerBody, type RegisterBody } from '../validation.js';

export interface RegistrationDeps {
  /** Undefined, or `enabled` false: every registration is 403 registration_disabled. */
  registry: UserRegistry | undefined;
  identityProvider: IdentityProvider;
  settings: { enabled: boolean; autoLogin: boolean };
  /** Runs before the handler when registration is open (the per-address limit). */
  guards: RequestHandler[];
  /**
   * Logs the new user in the mode's way (a session, or tokens) and answers 201: session mode's or token mode's
   * answer. Throws when that fails after the tokens were issued (the session store).
   */
  answerLoggedIn(req: Request, res: Response, tokens: TokenSet, user: User): Promise<void>;
  logger: Logger;
}

/**
 * POST register, both modes: the account is created in the realm (UserRegistry), then, unless told not to, logged in
 * with the password just given. Registration's refusals never touch the login failure budget: it does not go through
 * passwordLogin, and a refused registration asks the token endpoint nothing.
 */
export function registrationRoutes(deps: RegistrationDeps): Router {
  const { registry, identityProvider, settings, logger } = deps;
  const router = Router();
  if (!settings.enabled || !registry) {
    router.post('/register', markEvent('auth.register'), () => {
      throw new ApiError('registration_disabled');
    });
    return router;
  }

  router.post('/register', markEvent('auth.register'), ...deps.guards, async (req, res) => {
    const body = parseBody(registerBody, req.body, [], 'invalid_request');
    res.locals.logFields = { usernameHash: hashForLog(body.username) };
    const { username, email, password } = body;
    const created = await registry.create({ username, email, password, ...names(body) });
    if (!created.ok) throw errorFor(created.error);
    const { user } = created;
    logger.info('auth.register.succeeded', { event: 'auth.register.succeeded', sub: user.id });
    if (!settings.autoLogin) return registered(res, user, 'disabled');

    const login = await identityProvider
      .passwordLogin({ username: user.username, password: body.password })
      .catch((err: unknown) => ({
        ok: false as const,
        error: { code: err instanceof ApiError ? err.code : ('internal_error' as const), cause: err },
      }));
    if (!login.ok) {
      const notReady = login.error.code === 'account_not_ready';
      if (!notReady) loginFailed(logger, user, login.error.cause, login.error.code);
      return registered(res, user, notReady ? 'account_not_ready' : 'failed');
    }
    try {
      await deps.answerLoggedIn(req, res, login.tokens, login.user);
    } catch (err) {
      if (res.headersSent) throw err;
      loginFailed(logger, user, err, err instanceof ApiError ? err.code : 'internal_error');
      // Nobody holds the tokens now (the session store failed): the provider's session for them goes too.
      if (login.tokens.refresh_token) await identityProvider.logout(login.tokens.refresh_token).catch(() => undefined);
      registered(res, user, 'failed');
    }
  });
  return router;
}

/** `full_name` split at its last space: "Ada King Lovelace" is first name "Ada King", last name "Lovelace". */
function names(body: RegisterBody): { firstName?: string; lastName?: string } {
  if (body.full_name !== undefined) {
    const cut = body.full_name.lastIndexOf(' ');
    if (cut < 0) return { firstName: body.full_name };
    return { firstName: body.full_name.slice(0, cut).trim(), lastName: body.full_name.slice(cut + 1) };
  }
  return {
    ...(body.first_name !== undefined ? { firstName: body.first_name } : {}),
    ...(body.last_name !== undefined ? { lastName: body.last_name } : {}),
  };
}

function registered(res: Response, user: CreatedUser, login: RegistrationLogin): void {
  const name = [user.firstName, user.lastName].filter(Boolean).join(' ');
  noStore(res)
    .status(201)
    .json({
      message: SUCCESS_MESSAGES.register,
      user: { sub: user.id, username: user.username, email: user.email, name: name || null, roles: [] },
      login,
    } satisfies RegisteredAnswer);
}

function loginFailed(logger: Logger, user: CreatedUser, cause: unknown, code: string): void {
  logger.warn('the account was created, the login after it failed', {
    event: 'auth.register.login_failed',
    sub: user.id,
    error: code,
    cause: describeError(cause),
  });
}

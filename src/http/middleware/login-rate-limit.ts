import { MemoryStore, rateLimit, type Options, type RateLimitRequestHandler, type Store } from 'express-rate-limit';
import type { Request, RequestHandler } from 'express';
import type { Clock } from '../../support/clock.js';
import type { AccountDirectory } from '../../idp/account-directory.js';
import type { Logger } from '../../observability/logger.js';
import { LoginAccounts } from '../login-accounts.js';
import { LoginBudget, rateLimited } from '../login-budget.js';

export interface LoginRateLimitOptions {
  failuresPerUser: number;
  failuresPerIp: number;
  windowMs?: number;
  /** The shared store for a limiter of this name (Redis); undefined keeps the count in this process. */
  store?: (name: string) => Store | undefined;
  /** Who holds an email (Keycloak's Admin API); without it only successful logins tell which account an email names. */
  accountDirectory?: AccountDirectory;
  logger: Logger;
  clock: Clock;
}

const WINDOW_MS = 15 * 60_000;

/**
 * Counts failed logins only (401 invalid_credentials): per account, so a password cannot be guessed from many
 * addresses nor through the account's other identifiers (its email, another case), and per client address, so many
 * accounts cannot be sprayed from one. The provider's own brute-force detection stays the backstop; this one fires
 * first and answers 429 with Retry-After.
 *
 * Attempts still in flight count, so more simultaneous logins of one account than the limit get 429 even if they
 * would all succeed. That is the price of not letting parallel guesses through before the first failure is counted
 * (the race Keycloak closed in 25.0.3 by refusing concurrent logins of a user while brute-force detection is on).
 *
 * The per-address limit is express-rate-limit's middleware. The per-account budget (LoginBudget) uses the same
 * library's stores, but settles each attempt in the login handler: which account an email names may be known only
 * once the provider has answered.
 */
export function loginRateLimit(options: LoginRateLimitOptions): RequestHandler[] {
  const windowMs = options.windowMs ?? WINDOW_MS;
  const perIp: RateLimitRequestHandler = rateLimit({
    windowMs,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req: Request, res: { statusCode: number }) => res.statusCode !== 401,
    handler: (req: Request, _res: unknown, next: (err: unknown) => void) => {
      next(rateLimited((req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime, windowMs));
    },
    ...storeFor('login-ip'),
    limit: options.failuresPerIp,
    identifier: 'login-ip',
  });

  const accountStore = options.store?.('login-user') ?? new MemoryStore();
  // What express-rate-limit does for a store it is given; rate-limit-redis loads its scripts here.
  Promise.resolve(accountStore.init?.({ windowMs } as Options)).catch((err: unknown) => {
    options.logger.warn('the login rate-limit store did not initialise; it retries on first use', {
      event: 'rate_limit.store_init_failed',
      error: String(err),
    });
  });
  const budget = new LoginBudget({
    limit: options.failuresPerUser,
    windowMs,
    store: accountStore,
    accounts: new LoginAccounts({ directory: options.accountDirectory, logger: options.logger, clock: options.clock }),
    logger: options.logger,
  });
  // The login handler (passwordLogin) finds the budget here: it settles each attempt once the provider has answered.
  const accountBudget: RequestHandler = (_req, res, next) => {
    res.locals.loginBudget = budget;
    next();
  };
  return [perIp, accountBudget];

  function storeFor(name: string): { store?: Store } {
    const store = options.store?.(name);
    return store ? { store } : {};
  }
}

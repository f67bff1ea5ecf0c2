import { rateLimit, type RateLimitRequestHandler, type Store } from 'express-rate-limit';
import type { Request, RequestHandler } from 'express';
import { ApiError } from '../../errors/api-error.js';

export interface LoginRateLimitOptions {
  failuresPerUser: number;
  failuresPerIp: number;
  windowMs?: number;
  /** The shared store for a limiter of this name (Redis); undefined keeps the count in this process. */
  store?: (name: string) => Store | undefined;
}

const WINDOW_MS = 15 * 60_000;

/**
 * Counts failed logins only (401 invalid_credentials): per username, so a password cannot be guessed from many
 * addresses, and per client address, so many usernames cannot be sprayed from one. The provider's own brute-force
 * detection stays the backstop; this one fires first and answers 429 with Retry-After.
 *
 * express-rate-limit counts an attempt when it arrives and takes it back once it has succeeded, so attempts still in
 * flight count too: more simultaneous logins of one username than the limit get 429 even if they would all succeed.
 * That is the price of not letting parallel guesses through before the first failure is counted (the race Keycloak
 * closed in 25.0.3 by refusing concurrent logins of a user while brute-force detection is on).
 */
export function loginRateLimit(options: LoginRateLimitOptions): RequestHandler[] {
  const windowMs = options.windowMs ?? WINDOW_MS;
  const common = {
    windowMs,
    standardHeaders: 'draft-7' as const,
    legacyHeaders: false,
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req: Request, res: { statusCode: number }) => res.statusCode !== 401,
    handler: (req: Request, _res: unknown, next: (err: unknown) => void) => {
      const resetTime = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const seconds = resetTime ? Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 1000)) : Math.ceil(windowMs / 1000);
      next(new ApiError('rate_limited', { headers: { 'Retry-After': String(seconds) } }));
    },
  };
  const storeFor = (name: string) => {
    const store = options.store?.(name);
    return store ? { store } : {};
  };
  const perIp: RateLimitRequestHandler = rateLimit({ ...common, ...storeFor('login-ip'), limit: options.failuresPerIp, identifier: 'login-ip' });
  const perUser: RateLimitRequestHandler = rateLimit({
    ...common,
    ...storeFor('login-user'),
    limit: options.failuresPerUser,
    identifier: 'login-user',
    skip: (req) => typeof usernameOf(req) !== 'string',
    keyGenerator: (req) => `user:${usernameOf(req) ?? ''}`,
  });
  return [perIp, perUser];
}

function usernameOf(req: Request): string | undefined {
  const username: unknown = (req.body as Record<string, unknown> | undefined)?.username;
  return typeof username === 'string' && username.length > 0 && username.length <= 255 ? username.toLowerCase() : undefined;
}

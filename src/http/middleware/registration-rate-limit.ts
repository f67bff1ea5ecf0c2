import { rateLimit, type Store } from 'express-rate-limit';
import type { Request, RequestHandler } from 'express';
import { rateLimited } from '../login-budget.js';

export interface RegistrationRateLimitOptions {
  perHour: number;
  /** The shared store for a limiter of this name (Redis); undefined keeps the count in this process. */
  store?: (name: string) => Store | undefined;
}

const WINDOW_MS = 60 * 60_000;

/**
 * Every registration attempt counts against its client address, successful or not: a success is an account created,
 * which is what a flood would be after. Its own count, apart from the login limits: a refused registration never
 * spends a login's failure budget.
 */
export function registrationRateLimit(options: RegistrationRateLimitOptions): RequestHandler {
  const store = options.store?.('register-ip');
  return rateLimit({
    windowMs: WINDOW_MS,
    limit: options.perHour,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    identifier: 'register-ip',
    handler: (req: Request, _res: unknown, next: (err: unknown) => void) => {
      next(rateLimited((req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime, WINDOW_MS));
    },
    ...(store ? { store } : {}),
  });
}

import { createHash } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import { ApiError } from '../errors/api-error.js';
import type { Failure } from '../idp/identity-provider.js';

/** Names the operation so that the error middleware logs its failure as `<event>.failed`. */
export function markEvent(event: string): RequestHandler {
  return (_req, res, next) => {
    res.locals.event = event;
    next();
  };
}

/** Answers about a user or a session are never cached by a browser or a proxy. */
export function noStore(res: Response): Response {
  return res.set('Cache-Control', 'no-store').set('Pragma', 'no-cache');
}

/** Failed logins are logged with a hash of the name: people type passwords into the username field. */
export function hashForLog(username: string): string {
  return createHash('sha256').update(username).digest('hex').slice(0, 16);
}

/** The contract's answer for an expected failure that a service returned as a value: the HTTP edge makes it here. */
export function errorFor(failure: Failure): ApiError {
  return new ApiError(failure.code, failure);
}

import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { RequestContext } from '../../observability/request-context.js';

// Taken from the caller only when it cannot smuggle anything into a header or a log line.
const WELL_FORMED = /^[\w.:-]{8,128}$/;

/** Every response names its request, and every log line written while serving it does too. */
export function requestId(context: RequestContext): RequestHandler {
  return (req, res, next) => {
    const offered = req.get('x-request-id');
    const id = offered && WELL_FORMED.test(offered) ? offered : randomUUID();
    res.locals.requestId = id;
    res.setHeader('X-Request-Id', id);
    context.run({ requestId: id }, next);
  };
}

import type { RequestHandler } from 'express';
import type { Clock } from '../../support/clock.js';
import type { Logger } from '../../observability/logger.js';

/** One line per request. The path only: a query string may carry what must never be logged. */
export function accessLog(logger: Logger, clock: Clock): RequestHandler {
  return (req, res, next) => {
    // Off at the usual levels (the access log is `http`, below `info`): then it costs one comparison per request.
    if (!logger.isLevelEnabled('http')) return next();
    const started = clock.now();
    // Read now: a router that answers rewrites req.url to its own mount point, and may still hold it at 'finish'.
    const path = req.path;
    res.on('finish', () => {
      logger.http('request', {
        event: 'http.request',
        method: req.method,
        path,
        status: res.statusCode,
        durationMs: clock.now() - started,
      });
    });
    next();
  };
}

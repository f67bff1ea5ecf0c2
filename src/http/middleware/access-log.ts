import type { RequestHandler } from 'express';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../observability/logger.js';

/** One line per request. The path only: a query string may carry what must never be logged. */
export function accessLog(logger: Logger, clock: Clock): RequestHandler {
  return (req, res, next) => {
    const started = clock.now();
    res.on('finish', () => {
      logger.http('request', {
        event: 'http.request',
        method: req.method,
        path: req.path,
        status: res.statusCode,
        durationMs: clock.now() - started,
      });
    });
    next();
  };
}

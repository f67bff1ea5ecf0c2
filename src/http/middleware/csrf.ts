import type { RequestHandler } from 'express';
import { CSRF_HEADER_VALUE, HEADERS, SAFE_METHODS } from '../../contract/http.js';
import { ApiError } from '../../errors/api-error.js';

/**
 * Session mode's CSRF defence (the IETF browser-apps BFF pattern, as Duende BFF does it): every state-changing request
 * must carry `X-CSRF: 1`, a header a cross-site form cannot send and a cross-site script cannot send without a CORS
 * preflight the gateway refuses; and an `Origin`, when the browser sends one, must be the gateway's own or an allowed
 * SPA origin. Runs before anything reaches the provider.
 */
export function csrfProtection(allowedOrigins: readonly string[]): RequestHandler {
  const allowed = new Set(allowedOrigins);
  return (req, _res, next) => {
    if (SAFE_METHODS.has(req.method)) return next();
    if (req.get(HEADERS.csrf) !== CSRF_HEADER_VALUE) {
      return next(
        new ApiError('csrf_rejected', {
          message: 'State-changing requests must carry the header X-CSRF: 1',
          logFields: { reason: 'missing_header' },
        }),
      );
    }
    const origin = req.get('origin');
    if (origin !== undefined && !allowed.has(origin)) {
      return next(
        new ApiError('csrf_rejected', {
          message: 'The request comes from an origin that is not allowed',
          logFields: { reason: 'origin_not_allowed', origin: origin.slice(0, 200) },
        }),
      );
    }
    next();
  };
}

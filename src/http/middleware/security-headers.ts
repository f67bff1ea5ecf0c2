import type { RequestHandler } from 'express';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * What every answer of the API carries: the headers OWASP's REST Security cheat sheet lists for JSON APIs, and no
 * more. A CSP that allows nothing and no framing, nosniff, HSTS, no Referer, and a Cross-Origin-Resource-Policy that
 * keeps other sites from pulling an answer into their own process. helmet's headers about documents (COOP,
 * Origin-Agent-Cluster, DNS prefetch, IE download and XSS-filter switches, Flash policies) say nothing about JSON,
 * and every response of the hot paths would carry their bytes.
 */
export const API_HEADERS: HelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { 'default-src': ["'none'"], 'frame-ancestors': ["'none'"] },
  },
  xFrameOptions: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
  crossOriginOpenerPolicy: false,
  originAgentCluster: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
};

/** The HTML pages (API docs, the demo SPA): helmet's full set; Swagger UI needs the default CSP's inline styles. */
export const PAGE_HEADERS: HelmetOptions = {
  contentSecurityPolicy: { directives: { 'frame-ancestors': ["'none'"] } },
  referrerPolicy: { policy: 'no-referrer' },
};

/**
 * helmet with these options, then Vary: Origin for everyone, since CORS answers differ by Origin. A later call replaces
 * what an earlier one set, which is how the pages' set overrides the API's.
 *
 * helmet runs on every response: working its headers out once and replaying them saved nothing measurable on the
 * API's answers (bench/micro/security-headers.ts: a few µs per response either way, the difference inside the noise).
 */
export function securityHeaders(options: HelmetOptions): RequestHandler {
  const setHelmetHeaders = helmet(options);
  return (req, res, next) => {
    setHelmetHeaders(req, res, (err?: unknown) => {
      if (err) return next(err);
      res.setHeader('Vary', 'Origin');
      next();
    });
  };
}

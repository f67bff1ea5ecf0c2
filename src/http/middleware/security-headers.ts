import type { IncomingMessage, ServerResponse } from 'node:http';
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
  contentSecurityPolicy: { useDefaults: false, directives: { 'default-src': ["'none'"], 'frame-ancestors': ["'none'"] } },
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
 * helmet's headers, worked out once at startup and set in one call per response. helmet applies its dozen headers
 * through a dozen nested middleware on every request, and none of them depends on the request with the options used
 * here (no CSP nonces), so the result is the same every time; profiles of session-mode /me showed the nesting.
 * A later call replaces what an earlier one set, which is how the pages' set overrides the API's.
 * Vary: Origin is added for everyone, since CORS answers differ by Origin.
 */
export function securityHeaders(options: HelmetOptions): RequestHandler {
  const headers = new Map<string, string | string[]>();
  const probe = {
    setHeader: (name: string, value: string | string[]) => headers.set(name, value),
    removeHeader: (name: string) => headers.delete(name),
    getHeader: (name: string) => headers.get(name),
  };
  let failed: unknown;
  helmet(options)({} as IncomingMessage, probe as unknown as ServerResponse, (err?: unknown) => {
    failed = err;
  });
  if (failed) throw failed;
  headers.set('Vary', 'Origin');
  return (_req, res, next) => {
    res.setHeaders(headers);
    res.removeHeader('X-Powered-By');
    next();
  };
}

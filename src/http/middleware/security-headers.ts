import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * helmet's headers, worked out once at startup and set in one call per response. helmet applies its dozen headers
 * through a dozen nested middleware on every request, and none of them depends on the request with the options used
 * here (no CSP nonces), so the result is the same every time; profiles of session-mode /me showed the nesting.
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

import { ApiError } from '../errors/api-error.js';

const MAX_LENGTH = 2048;
// Controls (browsers drop tabs and newlines before parsing a URL) and backslashes (read as `/`): the value would not
// mean what it says.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f\\]/;
// Exactly one leading slash: `//host` and `/\host` are read by browsers as another host.
const SINGLE_SLASH = /^\/(?![/\\])/;
// Harmless to a browser, but one decoding step (a proxy, an SPA router) turns `/%2fevil.example` into `//evil.example`.
const ENCODED_SEPARATOR = /%(2f|5c)/i;

/**
 * Where to send the browser after a code-flow login: only a path on the gateway's own origin, so the login cannot
 * be turned into an open redirect. What is checked is the normalised path that will be sent, not the raw value:
 * `/.//evil.example` and `/%2e//evil.example` normalise into `//evil.example` and are refused like it.
 */
export function parseReturnTo(value: unknown, publicUrl: string): string {
  if (value === undefined || value === '') return '/';
  const problem = (text: string) =>
    new ApiError('invalid_request', {
      message: 'return_to must be a path on this site, such as /app',
      details: [{ field: 'return_to', problem: text }],
    });
  if (typeof value !== 'string') throw problem('must be a single string');
  if (value.length > MAX_LENGTH) throw problem(`must be at most ${MAX_LENGTH} characters`);
  if (!value.startsWith('/') || value.startsWith('//') || UNSAFE.test(value))
    throw problem('must be a relative path starting with a single /');
  const path = sameSitePath(value, publicUrl);
  if (path === undefined)
    throw problem('must be a path on this site once . and .. are resolved, with no encoded / or \\');
  return path;
}

/**
 * The normalised path (with query and fragment) that `value` stands for, if a browser given it as a `Location` would
 * stay on `publicUrl`'s origin and read exactly that path back; undefined otherwise.
 */
export function sameSitePath(value: string, publicUrl: string): string | undefined {
  const base = new URL(publicUrl);
  const target = URL.canParse(value, base) ? new URL(value, base) : undefined;
  if (!target || target.origin !== base.origin) return undefined;
  const path = `${target.pathname}${target.search}${target.hash}`;
  if (path.length > MAX_LENGTH || !SINGLE_SLASH.test(path) || ENCODED_SEPARATOR.test(target.pathname)) return undefined;
  // Resolve once more, as the browser will: the same origin and the same path, or it is not what it seems.
  const reread = new URL(path, base);
  return reread.origin === base.origin && `${reread.pathname}${reread.search}${reread.hash}` === path
    ? path
    : undefined;
}

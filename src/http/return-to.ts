import { ApiError } from '../errors/api-error.js';

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f\\]/;

/**
 * Where to send the browser after a code-flow login: only a path on the gateway's own origin, so the login cannot
 * be turned into an open redirect (`//evil.example`, `/\evil.example`, `https://evil.example` are all refused).
 */
export function parseReturnTo(value: unknown, publicUrl: string): string {
  if (value === undefined || value === '') return '/';
  const problem = (text: string) =>
    new ApiError('invalid_request', { message: 'return_to must be a path on this site, such as /app', details: [{ field: 'return_to', problem: text }] });
  if (typeof value !== 'string') throw problem('must be a single string');
  if (value.length > 2048) throw problem('must be at most 2048 characters');
  if (!value.startsWith('/') || value.startsWith('//') || UNSAFE.test(value)) throw problem('must be a relative path starting with a single /');
  const base = new URL(publicUrl);
  const target = new URL(value, base);
  if (target.origin !== base.origin) throw problem('must stay on this site');
  return `${target.pathname}${target.search}${target.hash}`;
}

/** Where the auth API lives. A path is never moved: clients and the OpenAPI document are built on these. */
export const AUTH_PATHS = {
  login: '/api/auth/login',
  callback: '/api/auth/callback',
  session: '/api/auth/session',
  refresh: '/api/auth/refresh-token',
  logout: '/api/auth/logout',
  me: '/api/auth/me',
  register: '/api/auth/register',
} as const;

/** Headers both sides read. Compare names case-insensitively: HTTP does, and Node lower-cases what it receives. */
export const HEADERS = {
  /** On every response: the key to the gateway's log lines for it. Taken from the request when well-formed. */
  requestId: 'X-Request-Id',
  /** Session mode: the value `1` on every POST, PUT, PATCH and DELETE, or 403 csrf_rejected. */
  csrf: 'X-CSRF',
  /** Session mode: `1` on an answer for which the gateway refreshed the session's tokens first. */
  sessionRefreshed: 'X-Session-Refreshed',
} as const;

export const CSRF_HEADER_VALUE = '1';

/** Methods that change nothing: the only ones session mode accepts without the CSRF header. */
export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

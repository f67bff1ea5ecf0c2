import type { LogoutAnswer } from '../contract/answers.js';
import { AUTH_PATHS, CSRF_HEADER_VALUE, HEADERS, SAFE_METHODS } from '../contract/http.js';
import type { RegisterAnswer } from '../contract/registration.js';
import type { LoginRequest, RegisterRequest } from '../contract/requests.js';
import type { SessionAnswer, SessionLoginAnswer, SessionRefreshAnswer } from '../contract/session-mode.js';
import type { AuthStrategy, ClientCore } from './strategy.js';

// axios hands over the response headers lower-cased.
const SESSION_REFRESHED = HEADERS.sessionRefreshed.toLowerCase();

/**
 * Session mode: the gateway holds the tokens and refreshes them itself; this client holds nothing but the cookie
 * (the browser's jar, or NodeCookies outside a browser). Credentials are included, `X-CSRF: 1` goes on every
 * state-changing call, and a 401 `session_expired` raises `sessionExpired` once, with no retry (the gateway already
 * tried).
 */
export function sessionStrategy(core: ClientCore): AuthStrategy {
  const { http } = core;
  return {
    withCredentials: true,
    authorize(config) {
      if (!SAFE_METHODS.has((config.method ?? 'get').toUpperCase()))
        config.headers.set(HEADERS.csrf, CSRF_HEADER_VALUE);
      return config;
    },
    answered(response) {
      if (response.headers[SESSION_REFRESHED]) core.emit('refreshed');
    },
    async failed(failure) {
      if (failure.code === 'session_expired') core.announceExpired();
      throw failure;
    },
    async login(username, password) {
      // Partial: a gateway in token mode by mistake answers without a session.
      const { data } = await http.post<Partial<SessionLoginAnswer> & Pick<SessionLoginAnswer, 'user'>>(
        AUTH_PATHS.login,
        { username, password } satisfies LoginRequest,
      );
      return data.session ? { user: data.user, session: data.session } : { user: data.user };
    },
    async register(request) {
      const { data } = await http.post<RegisterAnswer>(AUTH_PATHS.register, request satisfies RegisterRequest);
      if ('login' in data) return { loggedIn: false, user: data.user, login: data.login };
      return 'session' in data
        ? { loggedIn: true, user: data.user, session: data.session }
        : { loggedIn: true, user: data.user };
    },
    async logout() {
      await http.post<LogoutAnswer>(AUTH_PATHS.logout);
    },
    async refresh() {
      await http.post<SessionRefreshAnswer>(AUTH_PATHS.refresh);
      core.emit('refreshed');
    },
    async session() {
      const { data } = await http.get<SessionAnswer>(AUTH_PATHS.session);
      if (data.authenticated) core.rearmExpiry();
      return data;
    },
    forget() {
      // Nothing to drop: the cookie is the gateway's to clear.
    },
    adopt() {
      // Only token mode hands tokens between tabs.
    },
  };
}

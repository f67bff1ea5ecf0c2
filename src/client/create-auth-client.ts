import axios, { type AxiosError, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import type { MeAnswer } from '../contract/answers.js';
import { AUTH_PATHS } from '../contract/http.js';
import type { AuthClient, AuthClientOptions, AuthEvent, AuthMode } from './auth-client.js';
import { AuthError, toAuthError } from './auth-error.js';
import { inBrowser, NodeCookies } from './node-cookies.js';
import { serviceTokenStrategy } from './service-token-strategy.js';
import { sessionStrategy } from './session-strategy.js';
import type { AuthStrategy, ClientCore, StrategyFactory } from './strategy.js';
import { TabChannel, type TabMessage } from './tab-channel.js';
import { tokenStrategy } from './token-strategy.js';

/** One strategy per mode; a new way to hold credentials is one more entry here and one file. */
const STRATEGIES: Record<AuthMode, StrategyFactory> = {
  session: sessionStrategy,
  token: tokenStrategy,
  'service-token': serviceTokenStrategy,
};

/**
 * Creates the client for the gateway's mode (see `sessionStrategy`, `tokenStrategy` and `serviceTokenStrategy` for what
 * each does). What
 * they share lives here: the axios instance (`auth.http`), the events, the messages between tabs, the cookie jar
 * outside a browser, and that every failure is an `AuthError`.
 */
export function createAuthClient(options: AuthClientOptions): AuthClient {
  const { baseURL, mode } = options;
  const channelName = options.channelName ?? 'authgate';
  const cookies = inBrowser() ? undefined : new NodeCookies();
  const listeners = new Map<AuthEvent, Set<() => void>>();
  let expiredAnnounced = false;

  const http = axios.create({
    baseURL,
    headers: { Accept: 'application/json' },
    ...(options.fetchAdapter ? { adapter: options.fetchAdapter } : {}),
  });
  const emit = (event: AuthEvent) => {
    for (const listener of listeners.get(event) ?? []) listener();
  };
  const hear = (message: TabMessage) => {
    if (message.type === 'tokens') {
      strategy.adopt(message.tokens);
      emit('refreshed');
    } else if (message.type === 'loggedIn') {
      expiredAnnounced = false;
      emit('loggedIn');
    } else if (message.type === 'loggedOut') {
      strategy.forget();
      emit('loggedOut');
    } else if (!expiredAnnounced) {
      expiredAnnounced = true;
      strategy.forget();
      emit('sessionExpired');
    }
  };
  const channel = new TabChannel(channelName, hear);

  const core: ClientCore = {
    http,
    channel,
    channelName,
    now: options.now ?? (() => Date.now()),
    emit,
    announceExpired() {
      if (expiredAnnounced) return;
      expiredAnnounced = true;
      strategy.forget();
      emit('sessionExpired');
      channel.post({ type: 'sessionExpired' });
    },
    rearmExpiry() {
      expiredAnnounced = false;
    },
    async me() {
      const { data } = await http.get<MeAnswer>(AUTH_PATHS.me);
      return data.user;
    },
  };
  const strategy: AuthStrategy = STRATEGIES[mode](core, options);
  http.defaults.withCredentials = strategy.withCredentials;

  http.interceptors.request.use(async (config: InternalAxiosRequestConfig) => {
    const cookie = cookies?.header();
    if (cookie) config.headers.set('Cookie', cookie);
    return strategy.authorize(config);
  });
  http.interceptors.response.use(
    (response) => {
      cookies?.remember(response.headers['set-cookie']);
      strategy.answered(response);
      return response;
    },
    async (error: unknown) => {
      // Already translated: a failure of the request interceptor (a refresh before the call).
      if (error instanceof AuthError) throw error;
      const axiosError = error as AxiosError;
      cookies?.remember(axiosError.response?.headers?.['set-cookie']);
      return strategy.failed(toAuthError(axiosError.response as AxiosResponse | undefined, error), axiosError.config);
    },
  );

  return {
    mode,
    http,
    async login(username, password) {
      const result = await strategy.login(username, password);
      expiredAnnounced = false;
      emit('loggedIn');
      channel.post({ type: 'loggedIn' });
      return result;
    },
    async register(request) {
      const result = await strategy.register(request);
      if (result.loggedIn) {
        expiredAnnounced = false;
        emit('loggedIn');
        channel.post({ type: 'loggedIn' });
      }
      return result;
    },
    async logout() {
      await strategy.logout();
      emit('loggedOut');
      channel.post({ type: 'loggedOut' });
    },
    refresh: () => strategy.refresh(),
    me: () => core.me(),
    session: () => strategy.session(),
    loginUrl(returnTo = '/') {
      return `${baseURL}${AUTH_PATHS.login}?return_to=${encodeURIComponent(returnTo)}`;
    },
    on(event, listener) {
      const set = listeners.get(event) ?? new Set();
      set.add(listener);
      listeners.set(event, set);
      return () => set.delete(listener);
    },
    close() {
      channel.close();
    },
  };
}

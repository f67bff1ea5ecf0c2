import axios, { type AxiosError, type AxiosInstance, type AxiosRequestConfig, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import type { User } from '../contract/user.js';
import { AuthError, toAuthError } from './auth-error.js';
import { inBrowser, NodeCookies } from './node-cookies.js';
import { TabChannel, withTabLock, type TabMessage } from './tab-channel.js';
import { memoryStorage, type StoredTokens, type TokenStorage } from './token-storage.js';

declare module 'axios' {
  interface AxiosRequestConfig {
    /** authgate client bookkeeping: `bare` calls get no bearer and no refresh; `retried` calls are never replayed again. */
    authgate?: { bare?: boolean; retried?: boolean };
  }
}

export interface AuthClientOptions {
  /** The gateway's origin, e.g. `https://app.example.com` or `''` for the page's own origin. */
  baseURL: string;
  /** Must match the gateway's AUTH_MODE. */
  mode: 'session' | 'token';
  /** Token mode: refresh before a call when the access token expires within this many seconds (default 60). */
  refreshSkewSeconds?: number;
  /** Token mode: where the tokens are kept (default: memory). See `webStorage`. */
  storage?: TokenStorage;
  /** An axios adapter (`'fetch'`, `'xhr'`, `'http'` or a function); axios picks one by default. */
  fetchAdapter?: AxiosRequestConfig['adapter'];
  /** The BroadcastChannel (and Web Lock) name shared by this app's tabs (default `authgate`). */
  channelName?: string;
  /** The clock, in milliseconds since the epoch (tests). */
  now?: () => number;
}

/** What the client tells the app. Listeners run in every tab of the origin for logouts and expired sessions. */
export type AuthEvent = 'loggedIn' | 'loggedOut' | 'sessionExpired' | 'refreshed';

export interface SessionTimes {
  expires_at: string;
  access_expires_at: string;
}

export type SessionState = { authenticated: false } | { authenticated: true; user: User; expires_at?: string };

export interface AuthMethods {
  readonly mode: 'session' | 'token';
  /** Logs in with a password. Session mode: the gateway sets its cookie. Token mode: the tokens go to the storage. */
  login(username: string, password: string): Promise<{ user: User; session?: SessionTimes }>;
  /** Ends the session at the gateway and the provider; every tab hears `loggedOut`. */
  logout(): Promise<void>;
  /** New tokens now (rarely needed: session mode refreshes in the gateway, token mode before expiry). */
  refresh(): Promise<void>;
  /** The logged-in user. */
  me(): Promise<User>;
  /** Whether this browser (session mode) or this client (token mode) is logged in; never throws for "no". */
  session(): Promise<SessionState>;
  /** Session mode: where to send the browser to log in at the provider's page, coming back to `returnTo`. */
  loginUrl(returnTo?: string): string;
  /** Subscribes to an event; returns the unsubscribe function. */
  on(event: AuthEvent, listener: () => void): () => void;
  /** Stops listening to other tabs. */
  close(): void;
}

/** An axios instance wired for the gateway, plus the auth calls. Use it for your API calls too. */
export type AuthClient = AxiosInstance & AuthMethods;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
// How long a tab that refreshed keeps the refresh lock, so the new tokens reach the other tabs first (see withTabLock).
const TAB_HANDOVER_MS = 250;
const REFRESH_REFUSED = new Set(['invalid_grant', 'refresh_token_required']);

/**
 * Creates the client. Session mode: credentials are included, `X-CSRF: 1` goes on every state-changing call, and a
 * 401 `session_expired` raises `sessionExpired` once, with no retry (the gateway already tried). Token mode: the bearer
 * token is attached and refreshed before it expires; a 401 `token_expired` refreshes once, however many calls failed
 * together, and replays each of them once; a refused refresh clears the tokens and raises `sessionExpired` once.
 * Every failure is an `AuthError`.
 */
export function createAuthClient(options: AuthClientOptions): AuthClient {
  const { baseURL, mode } = options;
  const skewMs = (options.refreshSkewSeconds ?? 60) * 1000;
  const now = options.now ?? (() => Date.now());
  const storage = options.storage ?? memoryStorage();
  const channelName = options.channelName ?? 'authgate';
  const cookies = inBrowser() ? undefined : new NodeCookies();
  const listeners = new Map<AuthEvent, Set<() => void>>();
  let expiredAnnounced = false;
  let refreshing: Promise<StoredTokens> | undefined;

  const http = axios.create({
    baseURL,
    withCredentials: mode === 'session',
    headers: { Accept: 'application/json' },
    ...(options.fetchAdapter ? { adapter: options.fetchAdapter } : {}),
  });

  const emit = (event: AuthEvent) => {
    for (const listener of listeners.get(event) ?? []) listener();
  };
  const channel = new TabChannel(channelName, (message: TabMessage) => {
    if (message.type === 'tokens') {
      storage.set(message.tokens);
      emit('refreshed');
    } else if (message.type === 'loggedIn') {
      expiredAnnounced = false;
      emit('loggedIn');
    } else if (message.type === 'loggedOut') {
      if (mode === 'token') storage.clear();
      emit('loggedOut');
    } else if (!expiredAnnounced) {
      expiredAnnounced = true;
      if (mode === 'token') storage.clear();
      emit('sessionExpired');
    }
  });

  /** Once per login, in this tab and the others, however many calls discover it. */
  const announceExpired = () => {
    if (expiredAnnounced) return;
    expiredAnnounced = true;
    if (mode === 'token') storage.clear();
    emit('sessionExpired');
    channel.post({ type: 'sessionExpired' });
  };

  const refreshTokens = (seen: StoredTokens): Promise<StoredTokens> => {
    refreshing ??= withTabLock(`${channelName}-refresh`, TAB_HANDOVER_MS, async () => {
      const current = storage.get();
      // Another tab (shared storage) refreshed while this one waited for the lock: take its tokens.
      if (current && current.refreshToken !== seen.refreshToken && current.accessExpiresAt - skewMs > now()) return current;
      const refreshToken = current?.refreshToken ?? seen.refreshToken;
      let response: AxiosResponse<{ token: TokenBody }>;
      try {
        response = await http.post('/api/auth/refresh-token', { refresh_token: refreshToken }, { authgate: { bare: true } });
      } catch (err) {
        if (err instanceof AuthError && REFRESH_REFUSED.has(err.code)) announceExpired();
        throw err;
      }
      const next = storedTokens(response.data.token, now());
      storage.set(next);
      channel.post({ type: 'tokens', tokens: next });
      emit('refreshed');
      return next;
    }).finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  };

  http.interceptors.request.use(async (config: InternalAxiosRequestConfig) => {
    const cookie = cookies?.header();
    if (cookie) config.headers.set('Cookie', cookie);
    if (mode === 'session') {
      if (!SAFE_METHODS.has((config.method ?? 'get').toUpperCase())) config.headers.set('X-CSRF', '1');
      return config;
    }
    if (config.authgate?.bare) return config;
    let tokens = storage.get();
    if (tokens && tokens.accessExpiresAt - skewMs <= now()) tokens = await refreshTokens(tokens);
    if (tokens && !config.headers.has('Authorization')) config.headers.set('Authorization', `Bearer ${tokens.accessToken}`);
    return config;
  });

  http.interceptors.response.use(
    (response) => {
      cookies?.remember(response.headers['set-cookie']);
      if (mode === 'session' && response.headers['x-session-refreshed']) emit('refreshed');
      return response;
    },
    async (error: unknown) => {
      if (error instanceof AuthError) throw error;
      const axiosError = error as AxiosError;
      cookies?.remember(axiosError.response?.headers?.['set-cookie']);
      const failure = toAuthError(axiosError.response as AxiosResponse | undefined, error);
      const config = axiosError.config;
      if (mode === 'session') {
        if (failure.code === 'session_expired') announceExpired();
        throw failure;
      }
      const tokens = storage.get();
      if (failure.code === 'token_expired' && config && tokens && !config.authgate?.bare && !config.authgate?.retried) {
        // Calls that failed together: the first refreshes, the later ones find newer tokens than they sent.
        const sent = String(config.headers.get('Authorization') ?? '').replace(/^Bearer /, '');
        const fresh = tokens.accessToken !== sent ? tokens : await refreshTokens(tokens);
        config.authgate = { ...config.authgate, retried: true };
        config.headers.set('Authorization', `Bearer ${fresh.accessToken}`);
        return http.request(config);
      }
      throw failure;
    },
  );

  const methods: AuthMethods = {
    mode,
    async login(username, password) {
      const { data } = await http.post<{ user: User; token?: TokenBody; session?: SessionTimes }>('/api/auth/login', { username, password }, { authgate: { bare: true } });
      if (mode === 'token' && data.token) storage.set(storedTokens(data.token, now()));
      expiredAnnounced = false;
      emit('loggedIn');
      channel.post({ type: 'loggedIn' });
      return data.session ? { user: data.user, session: data.session } : { user: data.user };
    },
    async logout() {
      if (mode === 'session') {
        await http.post('/api/auth/logout');
      } else {
        const tokens = storage.get();
        if (tokens) {
          await http.post('/api/auth/logout', { refresh_token: tokens.refreshToken }, { authgate: { bare: true }, headers: { Authorization: `Bearer ${tokens.accessToken}` } });
        }
        storage.clear();
      }
      emit('loggedOut');
      channel.post({ type: 'loggedOut' });
    },
    async refresh() {
      if (mode === 'session') {
        await http.post('/api/auth/refresh-token');
        emit('refreshed');
        return;
      }
      const tokens = storage.get();
      if (!tokens) throw new AuthError('unauthenticated', 'Not logged in');
      await refreshTokens(tokens);
    },
    async me() {
      const { data } = await http.get<{ user: User }>('/api/auth/me');
      return data.user;
    },
    async session() {
      if (mode === 'token') {
        if (!storage.get()) return { authenticated: false };
        return { authenticated: true, user: await methods.me() };
      }
      const { data } = await http.get<SessionState>('/api/auth/session');
      if (data.authenticated) expiredAnnounced = false;
      return data;
    },
    loginUrl(returnTo = '/') {
      return `${baseURL}/api/auth/login?return_to=${encodeURIComponent(returnTo)}`;
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
  return Object.assign(http, methods);
}

interface TokenBody {
  access_token: string;
  refresh_token?: string;
  expires_in: number;
}

function storedTokens(body: TokenBody, receivedAt: number): StoredTokens {
  return { accessToken: body.access_token, refreshToken: body.refresh_token ?? '', accessExpiresAt: receivedAt + body.expires_in * 1000 };
}

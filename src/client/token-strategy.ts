import type { AxiosResponse } from 'axios';
import type { LogoutAnswer } from '../contract/answers.js';
import { AUTH_PATHS } from '../contract/http.js';
import type { RegisterAnswer } from '../contract/registration.js';
import type { LoginRequest, LogoutRequest, RefreshRequest, RegisterRequest } from '../contract/requests.js';
import type { TokenLoginAnswer, TokenRefreshAnswer, TokenSet } from '../contract/token-mode.js';
import type { AuthClientOptions } from './auth-client.js';
import { AuthError, type AuthErrorCode } from './auth-error.js';
import type { AuthStrategy, ClientCore } from './strategy.js';
import { withTabLock } from './tab-channel.js';
import { memoryStorage, type StoredTokens } from './token-storage.js';

// How long a tab that refreshed keeps the refresh lock, so the new tokens reach the other tabs first (see withTabLock).
const TAB_HANDOVER_MS = 250;
const REFRESH_REFUSED = new Set<AuthErrorCode>(['invalid_grant', 'refresh_token_required']);

/**
 * Token mode: the client holds the tokens (in `storage`), attaches the bearer token and refreshes it before it
 * expires; a 401 `token_expired` refreshes once, however many calls failed together, and replays each of them once;
 * a refused refresh clears the tokens and raises `sessionExpired` once.
 */
export function tokenStrategy(
  core: ClientCore,
  options: Pick<AuthClientOptions, 'storage' | 'refreshSkewSeconds'>,
): AuthStrategy {
  const { http, channel, now } = core;
  const storage = options.storage ?? memoryStorage();
  const skewMs = (options.refreshSkewSeconds ?? 60) * 1000;
  let refreshing: Promise<StoredTokens> | undefined;

  const refreshTokens = (seen: StoredTokens): Promise<StoredTokens> => {
    refreshing ??= withTabLock(`${core.channelName}-refresh`, TAB_HANDOVER_MS, async () => {
      const current = storage.get();
      // Another tab (shared storage) refreshed while this one waited for the lock: take its tokens.
      if (current && current.refreshToken !== seen.refreshToken && current.accessExpiresAt - skewMs > now())
        return current;
      const refreshToken = current?.refreshToken ?? seen.refreshToken;
      let response: AxiosResponse<TokenRefreshAnswer>;
      try {
        response = await http.post(AUTH_PATHS.refresh, { refresh_token: refreshToken } satisfies RefreshRequest, {
          authgate: { bare: true },
        });
      } catch (err) {
        if (err instanceof AuthError && REFRESH_REFUSED.has(err.code)) core.announceExpired();
        throw err;
      }
      const next = storedTokens(response.data.token, now());
      storage.set(next);
      channel.post({ type: 'tokens', tokens: next });
      core.emit('refreshed');
      return next;
    }).finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  };

  return {
    withCredentials: false,
    async authorize(config) {
      if (config.authgate?.bare) return config;
      let tokens = storage.get();
      if (tokens && tokens.accessExpiresAt - skewMs <= now()) tokens = await refreshTokens(tokens);
      if (tokens && !config.headers.has('Authorization'))
        config.headers.set('Authorization', `Bearer ${tokens.accessToken}`);
      return config;
    },
    answered() {
      // Token mode learns of new tokens only from its own refreshes.
    },
    async failed(failure, config) {
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
    async login(username, password) {
      // Partial: a gateway in session mode by mistake answers without tokens.
      const { data } = await http.post<Partial<TokenLoginAnswer> & Pick<TokenLoginAnswer, 'user'>>(
        AUTH_PATHS.login,
        { username, password } satisfies LoginRequest,
        { authgate: { bare: true } },
      );
      if (data.token) storage.set(storedTokens(data.token, now()));
      return { user: data.user };
    },
    async register(request) {
      const { data } = await http.post<RegisterAnswer>(AUTH_PATHS.register, request satisfies RegisterRequest, {
        authgate: { bare: true },
      });
      if ('login' in data) return { loggedIn: false, user: data.user, login: data.login };
      if ('token' in data) storage.set(storedTokens(data.token, now()));
      return { loggedIn: true, user: data.user };
    },
    async logout() {
      const tokens = storage.get();
      if (tokens) {
        const body: LogoutRequest = { refresh_token: tokens.refreshToken };
        await http.post<LogoutAnswer>(AUTH_PATHS.logout, body, {
          authgate: { bare: true },
          headers: { Authorization: `Bearer ${tokens.accessToken}` },
        });
      }
      storage.clear();
    },
    async refresh() {
      const tokens = storage.get();
      if (!tokens) throw new AuthError('unauthenticated', 'Not logged in');
      await refreshTokens(tokens);
    },
    async session() {
      if (!storage.get()) return { authenticated: false };
      return { authenticated: true, user: await core.me() };
    },
    forget() {
      storage.clear();
    },
    adopt(tokens) {
      storage.set(tokens);
    },
  };
}

function storedTokens(body: TokenSet, receivedAt: number): StoredTokens {
  return {
    accessToken: body.access_token,
    refreshToken: body.refresh_token ?? '',
    accessExpiresAt: receivedAt + body.expires_in * 1000,
  };
}

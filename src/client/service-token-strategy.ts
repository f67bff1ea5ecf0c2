import type { AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { CSRF_HEADER_VALUE, HEADERS } from '../contract/http.js';
import { SERVICE_TOKEN_PATHS, type ServiceTokenExchangeAnswer } from '../contract/service-tokens.js';
import type { AuthClientOptions } from './auth-client.js';
import { AuthError, type AuthErrorCode } from './auth-error.js';
import type { AuthStrategy, ClientCore } from './strategy.js';

/** The exchange's answers that mean the service token itself is dead: nothing a retry can mend. */
export const SERVICE_TOKEN_REFUSED: ReadonlySet<AuthErrorCode> = new Set([
  'service_token_invalid',
  'service_token_expired',
]);

interface AccessToken {
  value: string;
  /** When to exchange again, by this client's clock (milliseconds since the epoch). */
  renewAt: number;
}

/**
 * Service-token mode, for bots and services: the client holds a long-lived service token (`agst_...`) and exchanges
 * it at the gateway for short access tokens, which go on every call. It exchanges `refreshSkewSeconds` (default 300)
 * before the access token expires, or halfway through one that lives less than twice that (with Keycloak's default
 * five-minute tokens a five-minute skew would otherwise exchange before every call). A 401 exchanges once, however many
 * calls failed together, and replays each of them once; it never loops. A dead service token (401
 * `service_token_invalid` or `service_token_expired`) raises `sessionExpired` once; a failure of the provider (5xx) is
 * only that call's failure: the service token is kept, and the next call tries again.
 */
export function serviceTokenStrategy(
  core: ClientCore,
  options: Pick<AuthClientOptions, 'serviceToken' | 'refreshSkewSeconds'>,
): AuthStrategy {
  const { http, now } = core;
  const serviceToken = options.serviceToken;
  if (!serviceToken) throw new TypeError('createAuthClient: mode "service-token" needs the serviceToken option');
  const skewMs = (options.refreshSkewSeconds ?? 300) * 1000;
  let access: AccessToken | undefined;
  let exchanging: Promise<AccessToken> | undefined;
  // The calls this client put an access token on: only those are replayed after a 401 (not one with the caller's own).
  const carried = new WeakSet<InternalAxiosRequestConfig>();

  const exchange = (): Promise<AccessToken> => {
    exchanging ??= (async () => {
      const sentAt = now();
      let response: AxiosResponse<ServiceTokenExchangeAnswer>;
      try {
        response = await http.post(SERVICE_TOKEN_PATHS.exchange, undefined, {
          authgate: { bare: true },
          // The CSRF header for a gateway in session mode; token mode ignores it.
          headers: { Authorization: `Bearer ${serviceToken}`, [HEADERS.csrf]: CSRF_HEADER_VALUE },
        });
      } catch (err) {
        if (err instanceof AuthError && SERVICE_TOKEN_REFUSED.has(err.code)) core.announceExpired();
        throw err;
      }
      const lifetimeMs = response.data.expires_in * 1000;
      access = {
        value: response.data.access_token,
        renewAt: sentAt + lifetimeMs - Math.min(skewMs, lifetimeMs / 2),
      };
      core.rearmExpiry();
      core.emit('refreshed');
      return access;
    })().finally(() => {
      exchanging = undefined;
    });
    return exchanging;
  };

  const valid = async (): Promise<AccessToken> => (access && access.renewAt > now() ? access : exchange());

  return {
    withCredentials: false,
    async authorize(config) {
      if (config.authgate?.bare || config.headers.has('Authorization')) return config;
      config.headers.set('Authorization', `Bearer ${(await valid()).value}`);
      carried.add(config);
      return config;
    },
    answered() {
      // Access tokens come only from this client's exchanges.
    },
    async failed(failure, config) {
      if (failure.status !== 401 || !config || !carried.has(config) || config.authgate?.retried) throw failure;
      // Calls that failed together: the first exchanges, the later ones find a newer token than they sent.
      const sent = String(config.headers.get('Authorization') ?? '').replace(/^Bearer /, '');
      const fresh = exchanging ?? (access && access.value !== sent ? Promise.resolve(access) : exchange());
      const token = await fresh;
      config.authgate = { ...config.authgate, retried: true };
      config.headers.set('Authorization', `Bearer ${token.value}`);
      return http.request(config);
    },
    login() {
      return Promise.reject(
        new AuthError('invalid_request', 'A service-token client does not log in: it holds a service token'),
      );
    },
    register() {
      return Promise.reject(
        new AuthError('invalid_request', 'A service-token client does not register: it holds a service token'),
      );
    },
    async logout() {
      // Only the access token is dropped; revoking the service token is createServiceTokenApi's revoke().
      access = undefined;
    },
    async refresh() {
      await exchange();
    },
    async session() {
      try {
        return { authenticated: true, user: await core.me() };
      } catch (err) {
        if (err instanceof AuthError && SERVICE_TOKEN_REFUSED.has(err.code)) return { authenticated: false };
        throw err;
      }
    },
    forget() {
      access = undefined;
    },
    adopt() {
      // Each process exchanges its own; the gateway answers a fleet from the access token it already holds.
    },
  };
}

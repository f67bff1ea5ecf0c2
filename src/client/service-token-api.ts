import axios, { type AxiosError, type AxiosRequestConfig } from 'axios';
import {
  SERVICE_TOKEN_PATHS,
  type ServiceTokenCreateAnswer,
  type ServiceTokenCreateRequest,
  type ServiceTokenCurrentAnswer,
  type ServiceTokenExchangeAnswer,
  type ServiceTokenInfo,
  type ServiceTokenListAnswer,
} from '../contract/service-tokens.js';
import { CSRF_HEADER_VALUE, HEADERS, SAFE_METHODS } from '../contract/http.js';
import { toAuthError } from './auth-error.js';

export interface ServiceTokenApiOptions {
  /** The gateway's origin, e.g. `https://auth.example.com`. */
  baseURL: string;
  /** An axios adapter (`'fetch'`, `'xhr'`, `'http'` or a function); axios picks one by default. */
  fetchAdapter?: AxiosRequestConfig['adapter'];
}

/** Managing service tokens: what a bot checks at start-up and what the `authgate-token` CLI does. */
export interface ServiceTokenApi {
  /** Creates a token for `username` (the password is checked at the provider); the answer is the only sight of it. */
  create(request: ServiceTokenCreateRequest): Promise<ServiceTokenCreateAnswer>;
  /** The card of the token presented: name, owner, `expires_at`, `days_left` (null when eternal), `last_used_at`. */
  current(serviceToken: string): Promise<ServiceTokenInfo>;
  /** The tokens of the account `serviceToken` acts for (never a secret). */
  list(serviceToken: string): Promise<ServiceTokenInfo[]>;
  /** Revokes token `id` of the same account; its next exchange answers 401 `service_token_invalid`. */
  revoke(serviceToken: string, id: string): Promise<void>;
  /** One exchange, by hand (the `service-token` mode of createAuthClient does it for you). */
  exchange(serviceToken: string): Promise<ServiceTokenExchangeAnswer>;
}

/** The service-token endpoints, each answer typed by the contract and each failure an `AuthError`. */
export function createServiceTokenApi(options: ServiceTokenApiOptions): ServiceTokenApi {
  const http = axios.create({
    baseURL: options.baseURL,
    headers: { Accept: 'application/json' },
    ...(options.fetchAdapter ? { adapter: options.fetchAdapter } : {}),
  });
  // A gateway in session mode refuses a write without the CSRF header; in token mode it is ignored.
  http.interceptors.request.use((config) => {
    if (!SAFE_METHODS.has((config.method ?? 'get').toUpperCase())) config.headers.set(HEADERS.csrf, CSRF_HEADER_VALUE);
    return config;
  });
  http.interceptors.response.use(undefined, (error: unknown) => {
    throw toAuthError((error as AxiosError).response, error);
  });
  const bearer = (serviceToken: string) => ({ headers: { Authorization: `Bearer ${serviceToken}` } });
  return {
    async create(request) {
      return (await http.post<ServiceTokenCreateAnswer>(SERVICE_TOKEN_PATHS.tokens, request)).data;
    },
    async current(serviceToken) {
      return (await http.get<ServiceTokenCurrentAnswer>(SERVICE_TOKEN_PATHS.current, bearer(serviceToken))).data
        .service_token;
    },
    async list(serviceToken) {
      return (await http.get<ServiceTokenListAnswer>(SERVICE_TOKEN_PATHS.tokens, bearer(serviceToken))).data
        .service_tokens;
    },
    async revoke(serviceToken, id) {
      await http.delete(SERVICE_TOKEN_PATHS.token(id), bearer(serviceToken));
    },
    async exchange(serviceToken) {
      return (
        await http.post<ServiceTokenExchangeAnswer>(SERVICE_TOKEN_PATHS.exchange, undefined, bearer(serviceToken))
      ).data;
    },
  };
}

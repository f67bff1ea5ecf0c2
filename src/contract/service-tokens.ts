/**
 * Service tokens: long-lived credentials for bots and services, issued by the gateway and exchanged for the
 * provider's short access tokens. A token reads `agst_<id>_<secret>`: the id is public (lists, revocation, logs), the
 * secret is 32 random bytes in base64url and is shown once, at creation.
 */
export const SERVICE_TOKEN_PREFIX = 'agst_';

/** Where the service-token API lives. Never moved: clients are built on these. */
export const SERVICE_TOKEN_PATHS = {
  /** POST creates (201), GET lists the caller's tokens. */
  tokens: '/api/auth/service-tokens',
  /** GET: the presented service token's card. */
  current: '/api/auth/service-tokens/current',
  /** DELETE `${SERVICE_TOKEN_PATHS.tokens}/<id>` revokes one. */
  token: (id: string): string => `/api/auth/service-tokens/${encodeURIComponent(id)}`,
  /** POST with `Authorization: Bearer agst_...` or `Basic base64(client_id:secret)`: a short access token. */
  exchange: '/api/auth/service-token/refresh',
} as const;

/** Bounds of `days` at creation; a realm whose offline sessions are shorter refuses more (400 invalid_request). */
export const SERVICE_TOKEN_DAYS = { min: 1, max: 3650 } as const;

export const SERVICE_TOKEN_MESSAGES = {
  created: 'Service token created',
  revoked: 'Service token revoked',
} as const;

/**
 * POST service-tokens, as JSON or a form like login. Exactly one of `days` and `eternal`. The password is checked at
 * the provider every time, whatever else proves the caller.
 */
export interface ServiceTokenCreateRequest {
  username: string;
  password: string;
  name: string;
  days?: number;
  eternal?: true;
}

/** A service token's card. Never carries the secret. */
export interface ServiceTokenInfo {
  id: string;
  name: string;
  /** The username the token acts for. */
  owner: string;
  /** ISO 8601. */
  created_at: string;
  /** ISO 8601, or null for an eternal token. */
  expires_at: string | null;
  /** Whole days left (rounded down), or null for an eternal token. */
  days_left: number | null;
  /** ISO 8601 of the last exchange, or null before the first. */
  last_used_at: string | null;
}

/** 201 to POST service-tokens: the only answer that shows the token. */
export interface ServiceTokenCreateAnswer {
  message: (typeof SERVICE_TOKEN_MESSAGES)['created'];
  token: string;
  service_token: ServiceTokenInfo;
}

/** 200 to GET service-tokens. */
export interface ServiceTokenListAnswer {
  service_tokens: ServiceTokenInfo[];
}

/** 200 to GET service-tokens/current. */
export interface ServiceTokenCurrentAnswer {
  service_token: ServiceTokenInfo;
}

/** 200 to DELETE service-tokens/<id>. */
export interface ServiceTokenRevokeAnswer {
  message: (typeof SERVICE_TOKEN_MESSAGES)['revoked'];
}

/** 200 to POST service-token/refresh, for a service token or a client's credentials alike. */
export interface ServiceTokenExchangeAnswer {
  access_token: string;
  /** Seconds until the access token expires. */
  expires_in: number;
  token_type: 'Bearer';
}

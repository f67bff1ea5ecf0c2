import { z } from 'zod';
import { DIALECT_NAMES } from './provider-dialect.js';

const LOG_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] as const;

const port = z.coerce.number({ error: 'must be a port number' }).int('must be a whole number').min(0).max(65535);
const flag = z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')]);
const httpUrl = z
  .string()
  .trim()
  .url('must be an absolute URL')
  .refine((v) => /^https?:\/\//.test(v), 'must be an http or https URL')
  .transform((v) => v.replace(/\/+$/, ''));
const origin = z
  .string()
  .trim()
  .refine((v) => {
    try {
      const url = new URL(v);
      return /^https?:$/.test(url.protocol) && url.origin === v.replace(/\/$/, '');
    } catch {
      return false;
    }
  }, 'each entry must be an origin such as https://app.example.com (scheme, host and optional port, no path)')
  .transform((v) => v.replace(/\/$/, ''));

/**
 * Every setting the gateway reads, in one place: the name (an environment variable, and the key in
 * config/<NODE_ENV>.json), how it is parsed with its default, and what it means. The schema's default is the only
 * copy: the README's configuration table and .env.example are checked against it by a test (see defaults.ts).
 * `shownDefault` is only for a default that is not a value of its own (derived from another variable, or made at
 * start), which the schema leaves unset.
 */
export const VARIABLES = {
  NODE_ENV: {
    schema: z.string().default('development'),
    meaning: '`production` turns on the production checks (no embedded IdP, SESSION_SECRET required, https to the IdP)',
  },
  PORT: { schema: port.default(3000), meaning: 'gateway port' },
  AUTH_MODE: {
    schema: z.enum(['token', 'session'], { error: 'must be token or session' }).default('session'),
    meaning:
      '`session` (the BFF proper: tokens stay on the server, the browser holds an HttpOnly cookie) or `token` (tokens in JSON)',
  },
  KEYCLOAK_URL: {
    schema: httpUrl.optional(),
    meaning:
      'Keycloak base URL (e.g. `http://localhost:8080`). Unset: the embedded development IdP starts instead (refused when `NODE_ENV=production`)',
  },
  KEYCLOAK_REALM: {
    schema: z
      .string()
      .trim()
      .regex(/^[\w.-]{1,255}$/, 'must be a realm name (letters, digits, _ . -)')
      .default('demo'),
    meaning: 'realm name',
  },
  KEYCLOAK_ISSUER: {
    schema: httpUrl.optional(),
    shownDefault: '`<KEYCLOAK_URL>/realms/<KEYCLOAK_REALM>`',
    meaning:
      'the issuer Keycloak announces, when browsers reach it by another URL than the gateway does: Keycloak with a fixed front-end hostname (`KC_HOSTNAME`) and a dynamic back channel, as in docker-compose.yml (`http://localhost:8080/realms/demo`). The gateway still calls only KEYCLOAK_URL',
  },
  IDP_ISSUER: {
    // Kept exactly as written: the issuer the provider announces must match it character for character (Auth0's ends
    // in a slash).
    schema: z
      .string()
      .trim()
      .url('must be an absolute URL')
      .refine((v) => /^https?:\/\//.test(v), 'must be an http or https URL')
      .optional(),
    meaning:
      'any OpenID Connect issuer (e.g. `https://example.eu.auth0.com/`), read from its `/.well-known/openid-configuration`; instead of KEYCLOAK_URL and KEYCLOAK_REALM, never with them. A Keycloak issuer (`.../realms/<realm>`) is the same as the shorthand. See docs/providers.md',
  },
  IDP_DIALECT: {
    schema: z.enum(DIALECT_NAMES, { error: `must be one of ${DIALECT_NAMES.join(', ')}` }).optional(),
    shownDefault: 'from the issuer: `keycloak`, `auth0`, `entra`, `okta` where the URL says so, else `generic`',
    meaning:
      'how the provider speaks: its error answers, where roles are, its access tokens, its logout (docs/providers.md); for a hosted provider behind a custom domain',
  },
  IDP_CLIENT_ID: {
    schema: z.string().trim().min(1).max(255).default('authgate'),
    meaning: "the gateway's confidential client at the provider",
  },
  IDP_CLIENT_SECRET: {
    schema: z.string().min(1).optional(),
    shownDefault: "(embedded IdP: the demo realm's)",
    meaning: 'the client secret; required with KEYCLOAK_URL or IDP_ISSUER',
  },
  KEYCLOAK_CLIENT_ID: {
    schema: z.string().trim().min(1).max(255).optional(),
    meaning: 'the older name of IDP_CLIENT_ID, still read',
  },
  KEYCLOAK_CLIENT_SECRET: {
    schema: z.string().min(1).optional(),
    meaning: 'the older name of IDP_CLIENT_SECRET, still read',
  },
  ROLES_CLAIM: {
    schema: z
      .string()
      .trim()
      .regex(/^\S{1,255}$/, 'must be a claim name or a dotted path such as realm_access.roles')
      .optional(),
    shownDefault: "the dialect's: `realm_access.roles` (keycloak), `roles` (generic, auth0, entra), `groups` (okta)",
    meaning:
      "where the user's roles are in the access token (or userinfo): a claim name, tried whole first (Auth0's namespaced claims are URLs), then a dotted path",
  },
  IDP_ACCESS_TOKENS: {
    schema: z.enum(['jwt', 'opaque'], { error: 'must be jwt or opaque' }).optional(),
    shownDefault: "the dialect's: `jwt` (keycloak, generic, okta), `opaque` (auth0, entra)",
    meaning:
      "`jwt`: access tokens are verified with the issuer's keys; `opaque`: the provider is asked (its introspection endpoint when it offers one to the gateway's client, else userinfo), and the answer kept for 30 seconds",
  },
  PASSWORD_LOGIN: {
    schema: flag.default(true),
    meaning:
      'serve the password login (`POST /api/auth/login`, the password grant). `false`: 403 password_login_unavailable, and the code flow (session mode) is the only login; required by token mode',
  },
  IDP_ALLOW_HTTP: {
    schema: flag.default(false),
    meaning:
      'allow plain http to KEYCLOAK_URL or IDP_ISSUER when `NODE_ENV=production` (e.g. a private container network); always allowed, with a warning, outside production',
  },
  DEV_IDP_PORT: { schema: port.default(8080), meaning: 'port of the embedded development IdP' },
  REDIS_URL: {
    schema: z
      .string()
      .trim()
      .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
      .optional(),
    meaning:
      'unset: bounded in-memory stores for one instance; set: sessions, refresh locks, the logout denylist and rate limits live in Redis, shared by every instance (which must then share SESSION_SECRET)',
  },
  SESSION_SECRET: {
    schema: z.string().min(32, 'must be at least 32 characters').optional(),
    shownDefault: 'dev: random per start, with a warning',
    meaning:
      'signs the session cookie and encrypts the tokens at rest (AES-256-GCM); required when `NODE_ENV=production` or REDIS_URL is set. Changing it ends every session',
  },
  SESSION_MAX_AGE_SECONDS: {
    schema: z.coerce
      .number({ error: 'must be a number of seconds' })
      .int()
      .min(60)
      .max(30 * 86400)
      .default(28800),
    meaning:
      "session mode: a session's absolute limit, however active its user; before it, the session lasts as long as the provider's refresh token",
  },
  REFRESH_SKEW_SECONDS: {
    schema: z.coerce.number({ error: 'must be a number of seconds' }).int().min(0).max(3600).default(60),
    meaning: 'session mode: refresh the access token when it expires within this many seconds',
  },
  PUBLIC_URL: {
    schema: httpUrl.default('http://localhost:3000'),
    meaning:
      "the gateway's external URL: the code flow's redirect URI is `<PUBLIC_URL>/api/auth/callback`; https means Secure `__Host-` cookies (and needs TRUST_PROXY of 1 or more)",
  },
  CORS_ORIGINS: {
    schema: z
      .string()
      .default('')
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      )
      .pipe(z.array(origin)),
    meaning: 'comma-separated SPA origins allowed to call the API with credentials',
  },
  IDP_TIMEOUT_MS: {
    schema: z.coerce.number({ error: 'must be a number of milliseconds' }).int().min(50).max(120000).default(5000),
    meaning: 'timeout for every call to the provider',
  },
  LOGIN_FAILURES_PER_USER: {
    schema: z.coerce.number({ error: 'must be a whole number' }).int().min(1).max(100000).default(10),
    meaning:
      'failed logins allowed per account (its username or email, in any case) in 15 minutes before 429 rate_limited; attempts still in flight count until they answer',
  },
  LOGIN_FAILURES_PER_IP: {
    schema: z.coerce.number({ error: 'must be a whole number' }).int().min(1).max(1000000).default(100),
    meaning:
      'failed logins allowed per client address in 15 minutes before 429 rate_limited; attempts still in flight count until they answer',
  },
  REGISTRATION_ENABLED: {
    schema: flag.optional(),
    shownDefault: 'off; on with the embedded IdP (the demo realm) outside production',
    meaning:
      "serve `POST /api/auth/register`, which creates accounts in the realm through Keycloak's Admin API (the gateway client's service account needs the realm-management role manage-users; with another provider's dialect, start-up refuses it); off: 403 registration_disabled",
  },
  REGISTRATION_AUTO_LOGIN: {
    schema: flag.default(true),
    meaning:
      'log a newly registered user in (a session, or tokens in token mode) unless the realm wants a required action done first',
  },
  REGISTRATIONS_PER_IP: {
    schema: z.coerce.number({ error: 'must be a whole number' }).int().min(1).max(1000000).default(10),
    meaning:
      'registration attempts allowed per client address in an hour before 429 rate_limited (shared by every instance through Redis)',
  },
  SERVICE_TOKENS: {
    schema: flag.default(true),
    meaning:
      'serve service tokens (long-lived `agst_` credentials that bots exchange for access tokens at /api/auth/service-token/refresh); with Redis, make Redis keep its data (AOF or RDB) or they die with it',
  },
  SERVICE_TOKEN_MAX_DAYS: {
    schema: z.coerce.number({ error: 'must be a whole number of days' }).int().min(1).max(3650).default(3650),
    meaning:
      'the longest lifetime, in days, a service token may be created with; longer is 400 invalid_request (as is longer than the realm keeps offline sessions)',
  },
  SERVICE_TOKENS_ETERNAL: {
    schema: flag.default(true),
    meaning:
      'allow service tokens that never expire (`"eternal": true`); they still end when revoked or when their Keycloak offline session ends',
  },
  SERVICE_TOKEN_CREATOR_ROLE: {
    schema: z.string().trim().min(1).max(255).optional(),
    meaning:
      'the realm role an account needs to create service tokens (for itself); unset: any account may create tokens for itself',
  },
  TRUST_PROXY: {
    schema: z.coerce
      .number({ error: 'must be the number of proxies in front of the gateway' })
      .int()
      .min(0)
      .max(10)
      .default(0),
    meaning:
      'how many reverse proxies in front of the gateway may set X-Forwarded-For and X-Forwarded-Proto (the client address for rate limits; https for Secure cookies)',
  },
  LOG_LEVEL: {
    schema: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
    meaning: 'winston level; logs are JSON lines on stdout with the request id, never a secret',
  },
} as const;

export type VariableName = keyof typeof VARIABLES;

const shape = Object.fromEntries(Object.entries(VARIABLES).map(([name, v]) => [name, v.schema])) as {
  [K in VariableName]: (typeof VARIABLES)[K]['schema'];
};
/** Every setting parsed at once: a wrong value is reported with every other. */
export const SETTINGS = z.object(shape);
/** The settings as parsed, before the rules between them (load-config.ts). */
export type Settings = z.output<typeof SETTINGS>;

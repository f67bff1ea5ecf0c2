import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import request, { type Response as TestResponse } from 'supertest';
import type { Fetch } from '../../src/idp/provider-fetch.js';
import { projectRoot } from '../../src/support/project-root.js';
import { MovableClock } from '../support/clock.js';
import { buildTestGateway, type TestGateway } from '../support/gateway.js';
import type { KeycloakTestAdmin } from './admin-api.js';

/*
 * What the provider-errors suites share: a tap that keeps what Keycloak itself answered the gateway, the contract's
 * bodies, and a record of both per Keycloak version (test-results/keycloak/provider-errors-<version>.json).
 */

/** A refusal as Keycloak sent it: status and its OAuth fields (or, for a non-OAuth JSON body, the body itself). */
export interface KeycloakAnswer {
  status: number;
  error?: unknown;
  error_description?: unknown;
}

export interface AnswerTap {
  readonly wrap: (network: Fetch) => Fetch;
  /** Every non-2xx answer of the realm's endpoints, in order, by the endpoint's last path segment. */
  readonly refusals: { endpoint: string; answer: KeycloakAnswer }[];
  /** The latest refusal of that endpoint (`token`, `logout`, `openid-configuration`, `certs`). */
  last(endpoint: string): KeycloakAnswer | undefined;
  /** How many calls reached that endpoint, refused or not. */
  calls(endpoint: string): number;
}

export function answerTap(): AnswerTap {
  const refusals: AnswerTap['refusals'] = [];
  const seen: string[] = [];
  const wrap =
    (network: Fetch): Fetch =>
    async (input, init) => {
      const endpoint = new URL(String(input)).pathname.split('/').at(-1) ?? '';
      seen.push(endpoint);
      const res = await network(input, init);
      if (res.status >= 300) {
        const body: unknown = await res
          .clone()
          .json()
          .catch(() => undefined);
        const fields = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
        const answer: KeycloakAnswer = { status: res.status };
        if ('error' in fields) answer.error = fields.error;
        if ('error_description' in fields) answer.error_description = fields.error_description;
        refusals.push({ endpoint, answer });
      }
      return res;
    };
  return {
    wrap,
    refusals,
    last: (endpoint) => refusals.filter((r) => r.endpoint === endpoint).at(-1)?.answer,
    calls: (endpoint) => seen.filter((e) => e === endpoint).length,
  };
}

export type Mode = 'token' | 'session';

export interface TappedGateway extends TestGateway {
  tap: AnswerTap;
}

export interface GatewayOptions {
  env?: Record<string, string>;
  clock?: MovableClock;
  /** Another tap around the gateway's client (e.g. providerTap, to see the refresh tokens a session holds). */
  wrap?: (network: Fetch) => Fetch;
}

/** A gateway in `mode` pointed at realm `realm` of the Keycloak under test, with what Keycloak answers it tapped. */
export function gatewayFor(
  url: string,
  realm: string,
  mode: Mode,
  { env = {}, clock = new MovableClock(), wrap }: GatewayOptions = {},
): TappedGateway {
  const tap = answerTap();
  const gateway = buildTestGateway({
    idpUrl: url,
    mode,
    clock,
    wrapFetch: wrap ? (network) => tap.wrap(wrap(network)) : tap.wrap,
    env: { KEYCLOAK_REALM: realm, KEYCLOAK_CLIENT_SECRET: 'authgate-dev-secret', IDP_TIMEOUT_MS: '10000', ...env },
  });
  return { ...gateway, tap };
}

export async function keycloakVersion(admin: KeycloakTestAdmin): Promise<string> {
  const info = await admin.call<{ systemInfo: { version: string } }>('GET', '/admin/serverinfo');
  return info.systemInfo.version;
}

function fromKeycloak266(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 26 || (major === 26 && minor >= 6);
}

/** Keycloak 26.6 moved the password grant's invalid_grant from 401 to 400 (changes-26_6_0.adoc). */
export function passwordGrantRefusalStatus(version: string): number {
  return fromKeycloak266(version) ? 400 : 401;
}

/**
 * Whether the password grant checks a disabled user's password before saying "Account disabled". Before (26.5.6
 * seen), any password got "Account disabled"; keycloak#46607 (closes #46517, merged March 2026) checks the password
 * first. Seen on 26.7.3; 26.6 is not on Maven Central, so the exact first release is assumed, not seen.
 */
export function disabledUserPasswordCheckedFirst(version: string): boolean {
  return fromKeycloak266(version);
}

export const keycloakSays = (status: number, error: string, errorDescription?: string): KeycloakAnswer =>
  errorDescription === undefined ? { status, error } : { status, error, error_description: errorDescription };

export const CONTRACT = {
  invalidCredentials: { status: 401, body: { error: 'invalid_credentials', message: 'Invalid username or password' } },
  accountDisabled: { status: 403, body: { error: 'account_disabled', message: 'The account is disabled' } },
  accountNotReady: {
    status: 403,
    body: {
      error: 'account_not_ready',
      message: 'The account is not fully set up; finish the required actions at the identity provider',
    },
  },
  invalidScope: { status: 400, body: { error: 'invalid_scope', message: 'The requested scope is not allowed' } },
  invalidGrant: { status: 400, body: { error: 'invalid_grant', message: 'Invalid refresh token' } },
  unauthenticated: { status: 401, body: { error: 'unauthenticated', message: 'Authentication is required' } },
  sessionExpired: {
    status: 401,
    body: { error: 'session_expired', message: 'The session has expired; please log in again' },
  },
  unauthorizedClient: {
    status: 502,
    body: {
      error: 'unauthorized_client',
      message: 'The identity provider rejected the gateway client; this is a deployment fault',
    },
  },
  idpError: { status: 502, body: { error: 'idp_error', message: 'The identity provider answered with an error' } },
  notReady: {
    status: 502,
    body: { error: 'idp_error', message: 'Not ready: the identity provider (discovery and key set) does not answer' },
  },
  rateLimited: { status: 429, body: { error: 'rate_limited', message: 'Too many attempts; try again later' } },
} as const;

/** Status and body, the way a client sees an answer. */
export const seen = (res: TestResponse) => ({ status: res.status, body: res.body as unknown });

/** The Set-Cookie that clears the session cookie (cookie attributes as the gateway sets them on plain http). */
export const CLEARED_SESSION_COOKIE =
  /^authgate\.sid=; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Strict$/;

/** Keeps, per case, what Keycloak answered and what the gateway answered; written once the suite is done. */
export class AnswerRecord {
  private readonly rows: {
    case: string;
    keycloak: KeycloakAnswer | undefined;
    gateway: { status: number; body: unknown };
  }[] = [];

  constructor(private readonly suite: string) {}

  add(kase: string, keycloak: KeycloakAnswer | undefined, gateway: { status: number; body: unknown }): void {
    this.rows.push({ case: kase, keycloak, gateway });
  }

  async write(version: string): Promise<void> {
    if (!version || this.rows.length === 0) return;
    const dir = join(projectRoot(), 'test-results', 'keycloak');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, `${this.suite}-${version}.json`), `${JSON.stringify(this.rows, null, 2)}\n`);
  }
}

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Logs in through a gateway in session mode; answers its session cookie as a Cookie header value. */
export async function sessionCookie(
  gateway: TestGateway,
  user: { username: string; password: string },
): Promise<string> {
  const res = await request(gateway.app).post('/api/auth/login').set('X-CSRF', '1').send(user);
  if (res.status !== 200) throw new Error(`session login answered ${res.status} ${res.text}`);
  const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('authgate.sid='));
  if (!cookie) throw new Error('session login set no session cookie');
  return cookie.split(';')[0] ?? '';
}

/** Tokens of a login through a gateway in token mode. */
export async function tokenLogin(
  gateway: TestGateway,
  user: { username: string; password: string },
): Promise<{ access_token: string; refresh_token: string }> {
  const res = await request(gateway.app).post('/api/auth/login').send(user);
  if (res.status !== 200) throw new Error(`token login answered ${res.status} ${res.text}`);
  return res.body.token as { access_token: string; refresh_token: string };
}

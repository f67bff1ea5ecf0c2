import * as client from 'openid-client';
import type { Clock } from '../support/clock.js';
import { AccountLookupError } from './account-directory.js';
import type { Fetch } from './provider-fetch.js';

export interface AdminApiOptions {
  /** Keycloak's base URL, e.g. http://localhost:8080 (no /realms part). */
  url: string;
  realm: string;
  /** The gateway's own client, whose service account holds the realm-management roles the calls need. */
  clientId: string;
  clientSecret: string;
  allowHttp: boolean;
  /** The gateway's HTTP client for the provider (providerFetch: its deadline), as KeycloakService uses it. */
  fetch: Fetch;
  clock: Clock;
}

// A token is renewed this long before Keycloak would refuse it, so that a call never races its expiry.
const RENEW_BEFORE_MS = 30_000;

/**
 * Calls to Keycloak's Admin API for one realm, with a client-credentials token of the gateway's own client: kept until
 * shortly before it expires, one grant at a time however many calls wait for it. A failure to get a token or to reach
 * the API is an AccountLookupError naming what to fix, with the network's or openid-client's error as its cause.
 */
export class AdminApi {
  /** `<url>/admin/realms/<realm>` */
  readonly realmUrl: string;
  private readonly config: client.Configuration;
  private token: { value: string; renewAt: number } | undefined;
  private granting: Promise<string> | undefined;

  constructor(private readonly options: AdminApiOptions) {
    const realm = encodeURIComponent(options.realm);
    const issuer = `${options.url}/realms/${realm}`;
    this.config = new client.Configuration(
      { issuer, token_endpoint: `${issuer}/protocol/openid-connect/token` },
      options.clientId,
      undefined,
      client.ClientSecretPost(options.clientSecret),
    );
    this.config[client.customFetch] = (url: string, init: client.CustomFetchOptions) =>
      options.fetch(url, init as RequestInit);
    if (options.allowHttp) client.allowInsecureRequests(this.config);
    // The fetch's own deadline is the one that fires (see KeycloakService).
    this.config.timeout = 0;
    this.realmUrl = `${options.url}/admin/realms/${realm}`;
  }

  get clientId(): string {
    return this.options.clientId;
  }

  get realm(): string {
    return this.options.realm;
  }

  /**
   * One call under the realm's admin URL (`path` starts with `/`, or is empty). A 401 gets one fresh token and one
   * more try: Keycloak restarted, rotated its keys or ended the token; after that it is a real refusal.
   */
  async call(method: string, path: string, body?: unknown): Promise<Response> {
    const response = await this.send(method, path, body);
    if (response.status !== 401) return response;
    this.token = undefined;
    return this.send(method, path, body);
  }

  private async send(method: string, path: string, body: unknown): Promise<Response> {
    const token = await this.accessToken();
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    try {
      return await this.options.fetch(`${this.realmUrl}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        redirect: 'manual',
      });
    } catch (err) {
      throw new AccountLookupError(
        timedOut(err) ? 'the Admin API did not answer in time' : 'the Admin API cannot be reached',
        err,
      );
    }
  }

  private accessToken(): Promise<string> {
    if (this.token && this.options.clock.now() < this.token.renewAt) return Promise.resolve(this.token.value);
    this.granting ??= this.grant().finally(() => {
      this.granting = undefined;
    });
    return this.granting;
  }

  private async grant(): Promise<string> {
    let response: client.TokenEndpointResponse;
    try {
      response = await client.clientCredentialsGrant(this.config);
    } catch (err) {
      throw new AccountLookupError(this.grantRefusal(err), err);
    }
    const lifetimeMs = Number(response.expires_in ?? 60) * 1000;
    this.token = {
      value: response.access_token,
      renewAt: this.options.clock.now() + lifetimeMs - Math.min(RENEW_BEFORE_MS, lifetimeMs / 2),
    };
    return response.access_token;
  }

  private grantRefusal(err: unknown): string {
    if (timedOut(err)) return 'the token endpoint did not answer in time';
    const { error, error_description: description } = (err ?? {}) as { error?: unknown; error_description?: unknown };
    if (typeof error === 'string') {
      const said = typeof description === 'string' ? `${error}: ${description}` : error;
      return `Keycloak gave client ${this.options.clientId} no service-account token (${said}): the client needs "Service accounts roles" on, and its service account the realm-management roles the gateway uses (view-users; manage-users for registration)`;
    }
    return 'the token endpoint cannot be reached for a service-account token';
  }
}

function timedOut(err: unknown): boolean {
  for (
    let e: unknown = err, depth = 0;
    e && typeof e === 'object' && depth < 6;
    e = (e as { cause?: unknown }).cause, depth += 1
  ) {
    const { name, code } = e as { name?: unknown; code?: unknown };
    if (name === 'TimeoutError' || code === 'OAUTH_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT') return true;
  }
  return false;
}

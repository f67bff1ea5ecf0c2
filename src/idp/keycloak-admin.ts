import * as client from 'openid-client';
import type { Clock } from '../support/clock.js';
import { AccountLookupError, type AccountDirectory } from './account-directory.js';
import type { Fetch } from './provider-fetch.js';
import { ProviderResponseError } from './provider-response-error.js';

export interface KeycloakAdminOptions {
  /** Keycloak's base URL, e.g. http://localhost:8080 (no /realms part). */
  url: string;
  realm: string;
  /** The gateway's own client: its service account needs the realm-management role view-users. */
  clientId: string;
  clientSecret: string;
  allowHttp: boolean;
  /** The gateway's HTTP client for the provider (providerFetch: its deadline), as KeycloakService uses it. */
  fetch: Fetch;
  clock: Clock;
}

/** The realm's offline-session limits in seconds; `maxSeconds` null when the realm sets no max lifespan. */
export interface RealmOfflineLimits {
  idleSeconds: number;
  maxSeconds: number | null;
}

interface UserSummary {
  username: string;
  email?: string;
}

// A token is renewed this long before Keycloak would refuse it, so that a search never races its expiry.
const RENEW_BEFORE_MS = 30_000;

/**
 * The part of Keycloak's Admin API the gateway uses: the user search, with a client-credentials token of the gateway's
 * own client (kept until shortly before it expires, one grant at a time however many searches wait for it).
 * Every failure is an AccountLookupError naming what to fix; none of them is ever the user's fault.
 */
export class KeycloakAdmin implements AccountDirectory {
  private readonly config: client.Configuration;
  private readonly usersUrl: string;
  private readonly realmUrl: string;
  private token: { value: string; renewAt: number } | undefined;
  private granting: Promise<string> | undefined;

  constructor(private readonly options: KeycloakAdminOptions) {
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
    this.usersUrl = `${this.realmUrl}/users`;
  }

  async usernameForEmail(email: string): Promise<string | null> {
    const wanted = email.toLowerCase();
    const users = await this.searchUsers(
      new URLSearchParams({ email: wanted, exact: 'true', briefRepresentation: 'true' }),
    );
    // Checked here too: an older Keycloak that ignored `exact` would answer every email containing this one.
    const owners = users.filter((user) => user.email?.toLowerCase() === wanted);
    return owners.length === 1 && owners[0] ? owners[0].username.toLowerCase() : null;
  }

  /**
   * The realm's offline-session lifetimes (the realm representation; the service account needs the realm-management
   * role view-realm, without which Keycloak answers only the realm's name: then undefined).
   */
  async offlineLimits(): Promise<RealmOfflineLimits | undefined> {
    let response = await this.get(this.realmUrl);
    if (response.status === 401) {
      this.token = undefined;
      response = await this.get(this.realmUrl);
    }
    if (response.status !== 200)
      throw new AccountLookupError(this.refusal(response.status), await ProviderResponseError.from(response));
    const body = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    const idle = body?.offlineSessionIdleTimeout;
    const maxEnabled = body?.offlineSessionMaxLifespanEnabled;
    const max = body?.offlineSessionMaxLifespan;
    if (typeof idle !== 'number' || typeof maxEnabled !== 'boolean') return undefined;
    return { idleSeconds: idle, maxSeconds: maxEnabled && typeof max === 'number' ? max : null };
  }

  private async searchUsers(query: URLSearchParams): Promise<UserSummary[]> {
    let response = await this.get(`${this.usersUrl}?${query}`);
    if (response.status === 401) {
      // Keycloak restarted, rotated its keys or ended the token: one fresh token, then it is a real refusal.
      this.token = undefined;
      response = await this.get(`${this.usersUrl}?${query}`);
    }
    if (response.status !== 200)
      throw new AccountLookupError(this.refusal(response.status), await ProviderResponseError.from(response));
    const body: unknown = await response.json().catch(() => undefined);
    if (!Array.isArray(body))
      throw new AccountLookupError('the Admin API answered something other than a list of users');
    return body.filter(
      (user): user is UserSummary => typeof (user as Partial<UserSummary> | null)?.username === 'string',
    );
  }

  private async get(url: string): Promise<Response> {
    const token = await this.accessToken();
    try {
      return await this.options.fetch(url, {
        headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
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

  private refusal(status: number): string {
    const { clientId, realm } = this.options;
    switch (status) {
      case 401:
        return `the Admin API refused the token of client ${clientId}'s service account (401)`;
      case 403:
        return `the Admin API refused the user search (403): the service account of client ${clientId} needs the realm-management role view-users`;
      case 404:
        return `the Admin API answered 404: is realm ${realm} served at KEYCLOAK_URL?`;
      default:
        return `the Admin API answered ${status}`;
    }
  }

  private grantRefusal(err: unknown): string {
    if (timedOut(err)) return 'the token endpoint did not answer in time';
    const { error, error_description: description } = (err ?? {}) as { error?: unknown; error_description?: unknown };
    if (typeof error === 'string') {
      const said = typeof description === 'string' ? `${error}: ${description}` : error;
      return `Keycloak gave client ${this.options.clientId} no service-account token (${said}): the client needs "Service accounts roles" on, and its service account the realm-management role view-users`;
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

import { AccountLookupError, type AccountDirectory } from './account-directory.js';
import { AdminApi, type AdminApiOptions } from './admin-api.js';
import { ProviderResponseError } from './provider-response-error.js';

export type KeycloakAdminOptions = AdminApiOptions;

/** The realm's offline-session limits in seconds; `maxSeconds` null when the realm sets no max lifespan. */
export interface RealmOfflineLimits {
  idleSeconds: number;
  maxSeconds: number | null;
}

interface UserSummary {
  username: string;
  email?: string;
}

/**
 * The reads the gateway makes through Keycloak's Admin API: the user search and the realm's offline limits. Every
 * failure is an AccountLookupError naming what to fix; none of them is ever the user's fault. `api` is shared with
 * what writes users (KeycloakUsers), so one token serves both.
 */
export class KeycloakAdmin implements AccountDirectory {
  readonly api: AdminApi;

  constructor(options: KeycloakAdminOptions) {
    this.api = new AdminApi(options);
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
    const response = await this.api.call('GET', '');
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
    const response = await this.api.call('GET', `/users?${query}`);
    if (response.status !== 200)
      throw new AccountLookupError(this.refusal(response.status), await ProviderResponseError.from(response));
    const body: unknown = await response.json().catch(() => undefined);
    if (!Array.isArray(body))
      throw new AccountLookupError('the Admin API answered something other than a list of users');
    return body.filter(
      (user): user is UserSummary => typeof (user as Partial<UserSummary> | null)?.username === 'string',
    );
  }

  private refusal(status: number): string {
    const { clientId, realm } = this.api;
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
}

import { ApiError } from '../errors/api-error.js';
import { ERROR_CODES } from '../contract/errors.js';
import type { AdminApi } from './admin-api.js';
import type { Failure } from './identity-provider.js';
import { adminAnswerFailure, adminCallFailure, takenField } from './translate-admin-error.js';
import type { NewUser, Registered, UserRegistry } from './user-registry.js';

/**
 * Creates accounts through Keycloak's Admin API (`POST /admin/realms/{realm}/users`), as the gateway client's service
 * account, which needs the realm-management role manage-users. The password goes along as a non-temporary credential,
 * so the realm's password policy judges it in the same transaction as the user: a refused password creates nobody.
 */
export class KeycloakUsers implements UserRegistry {
  constructor(private readonly api: AdminApi) {}

  async create(user: NewUser): Promise<Registered> {
    const representation = {
      username: user.username,
      email: user.email,
      enabled: true,
      ...(user.firstName ? { firstName: user.firstName } : {}),
      ...(user.lastName ? { lastName: user.lastName } : {}),
      credentials: [{ type: 'password', value: user.password, temporary: false }],
    };
    const response = await this.api.call('POST', '/users', representation).catch((err: unknown) => {
      throw thrown(adminCallFailure(err));
    });
    if (response.status !== 201) {
      const body: unknown = await response.json().catch(() => undefined);
      let failure = adminAnswerFailure(response.status, body, this.api.clientId);
      if (failure.code === 'user_exists' && failure.details?.length === 2)
        failure = await this.whichTaken(user, failure);
      if (ERROR_CODES[failure.code].status < 500) return { ok: false, error: failure };
      throw thrown(failure);
    }
    await response.body?.cancel();
    // Keycloak answers the new user's URL, .../users/<id>, and no body.
    const id = /\/users\/([^/?#]+)$/.exec(response.headers.get('location') ?? '')?.[1];
    if (!id) throw thrown({ code: 'idp_error', logFields: { reason: 'the Admin API created a user but named no id' } });
    const { password: _password, ...card } = user;
    return { ok: true, user: { id: decodeURIComponent(id), ...card } };
  }

  /**
   * Two registrations raced and the database's unique key refused one: Keycloak says "username or email". The search
   * (view-users) tells which; when it cannot, the answer names both.
   */
  private async whichTaken(user: NewUser, failure: Failure): Promise<Failure> {
    try {
      const query = new URLSearchParams({ username: user.username, exact: 'true', briefRepresentation: 'true' });
      const response = await this.api.call('GET', `/users?${query}`);
      if (response.status !== 200) {
        await response.body?.cancel();
        return failure;
      }
      const found: unknown = await response.json();
      const taken = Array.isArray(found) && found.some((u) => (u as { username?: unknown }).username === user.username);
      return takenField(taken ? 'username' : 'email', failure.logFields);
    } catch {
      return failure;
    }
  }
}

function thrown(failure: Failure): ApiError {
  return new ApiError(failure.code, failure);
}

import type { Config } from '../config/load-config.js';
import type { Logger } from '../observability/logger.js';
import type { Clock } from '../support/clock.js';
import { DIALECTS } from './dialects.js';
import { KeycloakAdmin } from './keycloak-admin.js';
import { KeycloakService } from './keycloak-service.js';
import { KeycloakUsers } from './keycloak-users.js';
import { providerFetch, type Fetch } from './provider-fetch.js';

export interface ProviderPartsOptions {
  /** Keycloak's base URL when it is not the configured one (the embedded IdP's, known once it listens). */
  url?: string | undefined;
  clientSecret: string;
  logger: Logger;
  clock: Clock;
  /** See KeycloakServiceOptions.wrapFetch; the Admin API's calls go through it too. */
  wrapFetch?: ((network: Fetch) => Fetch) | undefined;
}

export interface ProviderParts {
  identityProvider: KeycloakService;
  /** Keycloak's Admin API; undefined for a provider without it (the dialect says). */
  keycloakAdmin: KeycloakAdmin | undefined;
  /** Registration's account creation, through the same Admin API and token. */
  keycloakUsers: KeycloakUsers | undefined;
}

/** The provider's client and, for Keycloak, its Admin API, as the configuration describes them. */
export function providerParts(idp: Config['idp'], options: ProviderPartsOptions): ProviderParts {
  const { clientSecret, logger, clock, wrapFetch } = options;
  const url = options.url ?? idp.url;
  const dialect = DIALECTS[idp.dialect];
  const identityProvider = new KeycloakService({
    ...idp,
    url,
    dialect,
    clientSecret,
    logger,
    clock,
    ...(wrapFetch ? { wrapFetch } : {}),
  });
  if (!dialect.adminApi || !url) return { identityProvider, keycloakAdmin: undefined, keycloakUsers: undefined };
  const network = providerFetch(idp.timeoutMs);
  const keycloakAdmin = new KeycloakAdmin({
    ...idp,
    url,
    clientSecret,
    fetch: wrapFetch ? wrapFetch(network) : network,
    clock,
  });
  return { identityProvider, keycloakAdmin, keycloakUsers: new KeycloakUsers(keycloakAdmin.api) };
}

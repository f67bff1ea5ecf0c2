import type { Express } from 'express';
import { createApp } from '../../src/app.js';
import type { Clock } from '../../src/support/clock.js';
import { loadConfig, type Config } from '../../src/config/load-config.js';
import type { KeycloakService } from '../../src/idp/keycloak-service.js';
import { providerParts } from '../../src/idp/provider-parts.js';
import type { Fetch } from '../../src/idp/provider-fetch.js';
import { RequestContext } from '../../src/observability/request-context.js';
import { SessionCodec } from '../../src/sessions/session-codec.js';
import { realmOfflineLimits } from '../../src/service-tokens/realm-limits.js';
import { createSessionStore } from '../../src/sessions/create-session-store.js';
import type { VersionedSessionStore } from '../../src/sessions/versioned-session-store.js';
import { createStores, type Stores } from '../../src/stores/create-stores.js';
import type { RedisClient } from '../../src/stores/redis-client.js';
import type { ServiceTokenDurability } from '../../src/service-tokens/durability.js';
import { captureLogs, type CapturedLogs } from './logs.js';
import { MovableClock } from './clock.js';

export const DEMO_CLIENT_SECRET = 'authgate-dev-secret';
/** Gateways built for one test share it, as instances behind one load balancer must. */
export const TEST_SESSION_SECRET = 'a-test-session-secret-of-more-than-32-characters';

export interface TestGateway {
  app: Express;
  config: Config;
  logs: CapturedLogs;
  clock: Clock;
  keycloak: KeycloakService;
  stores: Stores;
  sessions: VersionedSessionStore;
  codec: SessionCodec;
}

export interface TestGatewayOptions {
  /** KEYCLOAK_URL; unused when `env` names another provider by IDP_ISSUER. */
  idpUrl: string;
  env?: Record<string, string>;
  clock?: Clock;
  /** See KeycloakServiceOptions.wrapFetch. */
  wrapFetch?: (network: Fetch) => Fetch;
  /** Token mode unless asked: most suites predate session mode and say which mode they test. */
  mode?: 'token' | 'session';
  /** Redis for the stores (a client the test owns, and a key prefix of its own); in memory without it. */
  redis?: { client: RedisClient; keyPrefix: string };
  /** Service-token settings over the defaults (what SERVICE_TOKEN* would set). */
  serviceTokenDurability?: ServiceTokenDurability;
}

/** The gateway exactly as production builds it, pointed at a provider the test started, with logs captured. */
export function buildTestGateway({
  idpUrl,
  env = {},
  clock = new MovableClock(),
  wrapFetch,
  redis,
  mode = 'token',
  serviceTokenDurability,
}: TestGatewayOptions): TestGateway {
  const config = loadConfig({
    env: {
      NODE_ENV: 'test',
      ...(env.IDP_ISSUER ? {} : { KEYCLOAK_URL: idpUrl }),
      // The older name, so that a test may set either (both only when they agree).
      ...(env.IDP_CLIENT_SECRET ? {} : { KEYCLOAK_CLIENT_SECRET: DEMO_CLIENT_SECRET }),
      IDP_TIMEOUT_MS: '2000',
      SESSION_SECRET: TEST_SESSION_SECRET,
      AUTH_MODE: mode,
      ...env,
    },
  });
  const requestContext = new RequestContext();
  const logs = captureLogs(requestContext);
  // The Admin API through the same wrapper, as production sends it through the same kind of client.
  const {
    identityProvider: keycloak,
    keycloakAdmin,
    keycloakUsers,
  } = providerParts(config.idp, {
    clientSecret: config.idp.clientSecret ?? DEMO_CLIENT_SECRET,
    logger: logs.logger,
    clock,
    wrapFetch,
  });
  const codec = new SessionCodec(config.sessionSecret);
  const stores = createStores({
    redisUrl: undefined,
    clock,
    logger: logs.logger,
    ...(redis ? { redisClient: redis.client, keyPrefix: redis.keyPrefix } : {}),
  });
  const sessions = createSessionStore(stores, { codec, clock, logger: logs.logger });
  const app = createApp({
    ...(keycloakUsers ? { userRegistry: keycloakUsers } : {}),
    config,
    identityProvider: keycloak,
    stores,
    sessions,
    codec,
    logger: logs.logger,
    clock,
    requestContext,
    ...(keycloakAdmin
      ? {
          accountDirectory: keycloakAdmin,
          offlineLimits: realmOfflineLimits(() => keycloakAdmin.offlineLimits(), logs.logger),
        }
      : {}),
    ...(serviceTokenDurability ? { serviceTokenDurability } : {}),
  });
  return { app, config, logs, clock, keycloak, stores, sessions, codec };
}

import type { Express } from 'express';
import { createApp } from '../../src/app.js';
import type { Clock } from '../../src/clock.js';
import { loadConfig, type Config } from '../../src/config/load-config.js';
import { KeycloakService } from '../../src/idp/keycloak-service.js';
import type { Fetch } from '../../src/idp/timed-fetch.js';
import { RequestContext } from '../../src/observability/request-context.js';
import { MemoryDenylist } from '../../src/stores/denylist.js';
import { captureLogs, type CapturedLogs } from './logs.js';
import { MovableClock } from './clock.js';

export const DEMO_CLIENT_SECRET = 'authgate-dev-secret';

export interface TestGateway {
  app: Express;
  config: Config;
  logs: CapturedLogs;
  clock: Clock;
  keycloak: KeycloakService;
  denylist: MemoryDenylist;
}

export interface TestGatewayOptions {
  idpUrl: string;
  env?: Record<string, string>;
  clock?: Clock;
  fetch?: Fetch;
}

/** The gateway exactly as production builds it, pointed at a provider the test started, with logs captured. */
export function buildTestGateway({ idpUrl, env = {}, clock = new MovableClock(), fetch }: TestGatewayOptions): TestGateway {
  const config = loadConfig({
    env: { NODE_ENV: 'test', KEYCLOAK_URL: idpUrl, KEYCLOAK_CLIENT_SECRET: DEMO_CLIENT_SECRET, IDP_TIMEOUT_MS: '2000', ...env },
  });
  const requestContext = new RequestContext();
  const logs = captureLogs(requestContext);
  const keycloak = new KeycloakService({
    ...config.idp,
    url: idpUrl,
    clientSecret: config.idp.clientSecret ?? DEMO_CLIENT_SECRET,
    logger: logs.logger,
    clock,
    ...(fetch ? { fetch } : {}),
  });
  const denylist = new MemoryDenylist({ clock });
  const app = createApp({ config, identityProvider: keycloak, denylist, logger: logs.logger, clock, requestContext });
  return { app, config, logs, clock, keycloak, denylist };
}

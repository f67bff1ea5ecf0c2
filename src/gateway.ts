import { once } from 'node:events';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { createApp } from './app.js';
import { systemClock, type Clock } from './support/clock.js';
import type { Config } from './config/load-config.js';
import type { DevIdp } from './dev-idp/index.js';
import { KeycloakAdmin } from './idp/keycloak-admin.js';
import { KeycloakUsers } from './idp/keycloak-users.js';
import { KeycloakService } from './idp/keycloak-service.js';
import { providerFetch } from './idp/provider-fetch.js';
import type { Logger } from './observability/logger.js';
import type { RequestContext } from './observability/request-context.js';
import { projectRoot } from './support/project-root.js';
import { realmOfflineLimits } from './service-tokens/realm-limits.js';
import { createSessionStore } from './sessions/create-session-store.js';
import { SessionCodec } from './sessions/session-codec.js';
import { stoppableServer } from './http/stoppable-server.js';
import { createStores } from './stores/create-stores.js';
import { ServiceTokenDurability } from './service-tokens/durability.js';

export interface RunningGateway {
  readonly url: string;
  readonly server: Server;
  readonly devIdp: DevIdp | undefined;
  /**
   * Refuses new connections, answers what reaches the open ones with `Connection: close`, lets in-flight requests
   * finish (up to `graceMs`), then releases everything.
   */
  close(graceMs?: number): Promise<void>;
}

export interface StartGatewayOptions {
  config: Config;
  logger: Logger;
  requestContext: RequestContext;
  clock?: Clock;
  realmFile?: string;
  host?: string;
}

/** Wires the real parts together and listens: the embedded development IdP when no Keycloak is configured. */
export async function startGateway(options: StartGatewayOptions): Promise<RunningGateway> {
  const { config, logger, requestContext } = options;
  const clock = options.clock ?? systemClock;

  let devIdp: DevIdp | undefined;
  let idpUrl = config.idp.url;
  let clientSecret = config.idp.clientSecret;
  if (!idpUrl) {
    // Loaded only when it runs: a gateway in front of Keycloak never loads oidc-provider, Koa and the rest of the
    // development IdP, so none of it sits in its heap (every major GC walks that) or runs in production.
    const { loadRealmFile, startDevIdp } = await import('./dev-idp/index.js');
    const realm = await loadRealmFile(options.realmFile ?? join(projectRoot(), 'keycloak-realm.json'));
    devIdp = await startDevIdp({
      realm,
      port: config.devIdpPort,
      publicHost: 'localhost',
      logger: logger.child({ component: 'dev-idp' }),
      nodeEnv: config.nodeEnv,
    });
    idpUrl = devIdp.url;
    clientSecret ??= realm.clients.find((c) => c.clientId === config.idp.clientId)?.secret;
  } else if (idpUrl.startsWith('http:')) {
    logger.warn('plain http to the identity provider', { event: 'config.insecure_idp_url', url: idpUrl });
  }
  if (!clientSecret) throw new Error(`no client secret for client ${config.idp.clientId}: set KEYCLOAK_CLIENT_SECRET`);
  if (config.sessionSecretGenerated) {
    logger.warn('SESSION_SECRET is not set: using a random one for this process only', {
      event: 'config.session_secret_generated',
    });
  }

  const identityProvider = new KeycloakService({ ...config.idp, url: idpUrl, clientSecret, logger, clock });
  const accountDirectory = new KeycloakAdmin({
    ...config.idp,
    url: idpUrl,
    clientSecret,
    fetch: providerFetch(config.idp.timeoutMs),
    clock,
  });
  const codec = new SessionCodec(config.sessionSecret);
  const stores = createStores({ redisUrl: config.redisUrl, clock, logger });
  const sessions = createSessionStore(stores, { codec, clock, logger });
  const serviceTokenDurability = new ServiceTokenDurability();
  // In the background: a Redis down at start must not hold the gateway back (it answers 503 until Redis is back).
  if (stores.redis) void serviceTokenDurability.checkRedis(stores.redis.client, logger);
  else serviceTokenDurability.noteMemory(logger);
  const app = createApp({
    serviceTokenDurability,
    offlineLimits: realmOfflineLimits(() => accountDirectory.offlineLimits(), logger),
    config,
    identityProvider,
    accountDirectory,
    userRegistry: new KeycloakUsers(accountDirectory.api),
    stores,
    sessions,
    codec,
    logger,
    clock,
    requestContext,
  });

  const { server, stop } = stoppableServer(app, logger);
  server.listen(config.port, options.host ?? '0.0.0.0');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://localhost:${port}`;
  logger.info('gateway listening', {
    event: 'gateway.started',
    url,
    mode: config.authMode,
    idp: identityProvider.issuer,
    embeddedIdp: Boolean(devIdp),
    stores: stores.kind,
  });

  return {
    url,
    server,
    devIdp,
    async close(graceMs = 10_000) {
      await stop(graceMs);
      await stores.close();
      await devIdp?.close();
      logger.info('gateway stopped', { event: 'gateway.stopped' });
    },
  };
}

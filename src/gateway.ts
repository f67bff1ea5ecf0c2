import { once } from 'node:events';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { createApp } from './app.js';
import { systemClock, type Clock } from './support/clock.js';
import type { Config } from './config/load-config.js';
import type { DevIdp } from './dev-idp/index.js';
import { DIALECTS, type Dialect } from './idp/dialects.js';
import type { KeycloakService } from './idp/keycloak-service.js';
import { providerParts } from './idp/provider-parts.js';
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

// How each dialect's logout is described in the start-up warning.
const LOGOUT_SAID: Record<Dialect['logout'], string> = {
  keycloak: 'keycloak',
  revocation:
    'RFC 7009 revocation of the refresh token, where discovery lists a revocation_endpoint (idp.logout_local says when not)',
  local: 'ends only the gateway session; the provider session stays',
};

/** Wires the real parts together and listens: the embedded development IdP when no Keycloak is configured. */
export async function startGateway(options: StartGatewayOptions): Promise<RunningGateway> {
  const { config, logger, requestContext } = options;
  const clock = options.clock ?? systemClock;

  let devIdp: DevIdp | undefined;
  let idpUrl = config.idp.url;
  let clientSecret = config.idp.clientSecret;
  if (!idpUrl && !config.idp.issuer) {
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
  } else if ((idpUrl ?? config.idp.issuer ?? '').startsWith('http:')) {
    logger.warn('plain http to the identity provider', {
      event: 'config.insecure_idp_url',
      url: idpUrl ?? config.idp.issuer,
    });
  }
  if (!clientSecret) throw new Error(`no client secret for client ${config.idp.clientId}: set IDP_CLIENT_SECRET`);
  if (config.sessionSecretGenerated) {
    logger.warn('SESSION_SECRET is not set: using a random one for this process only', {
      event: 'config.session_secret_generated',
    });
  }

  const { identityProvider, keycloakAdmin, keycloakUsers } = providerParts(config.idp, {
    url: idpUrl,
    clientSecret,
    logger,
    clock,
  });
  const dialect = DIALECTS[config.idp.dialect];
  if (dialect.logout === 'local' || !dialect.adminApi) {
    logger.warn("identity provider without some of Keycloak's features", {
      event: 'idp.dialect_limits',
      dialect: dialect.name,
      logout: LOGOUT_SAID[dialect.logout],
      adminApi: dialect.adminApi ? 'yes' : 'none: no registration, no account lookup by email, no realm limits',
      ...(dialect.passwordGrant === 'restricted' && config.passwordLogin
        ? { passwordGrant: `must be enabled for client ${config.idp.clientId} at the provider (docs/providers.md)` }
        : {}),
    });
  }
  await checkPasswordGrant(config, identityProvider, logger);
  const codec = new SessionCodec(config.sessionSecret);
  const stores = createStores({ redisUrl: config.redisUrl, clock, logger });
  const sessions = createSessionStore(stores, { codec, clock, logger });
  const serviceTokenDurability = new ServiceTokenDurability();
  // In the background: a Redis down at start must not hold the gateway back (it answers 503 until Redis is back).
  if (stores.redis) void serviceTokenDurability.checkRedis(stores.redis.client, logger);
  else serviceTokenDurability.noteMemory(logger);
  const app = createApp({
    serviceTokenDurability,
    ...(keycloakAdmin
      ? {
          offlineLimits: realmOfflineLimits(() => keycloakAdmin.offlineLimits(), logger),
          accountDirectory: keycloakAdmin,
        }
      : {}),
    ...(keycloakUsers ? { userRegistry: keycloakUsers } : {}),
    config,
    identityProvider,
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

/**
 * The password login needs the provider's password grant. A provider whose discovery document leaves it out refuses
 * the start, naming what to change; one that cannot be reached now is checked again at each login (403
 * password_login_unavailable until it offers the grant).
 */
async function checkPasswordGrant(config: Config, identityProvider: KeycloakService, logger: Logger): Promise<void> {
  if (!config.passwordLogin || DIALECTS[config.idp.dialect].passwordGrant !== 'discovery') return;
  let offered: boolean;
  try {
    offered = await identityProvider.passwordGrantOffered();
  } catch {
    logger.warn('the provider cannot be reached to check that it offers the password grant', {
      event: 'idp.password_grant_unchecked',
    });
    return;
  }
  if (!offered) {
    throw new Error(
      `PASSWORD_LOGIN: the provider at ${identityProvider.issuer} offers no password grant (its discovery document does not list it); set PASSWORD_LOGIN=false and AUTH_MODE=session, so that the code flow is the only login`,
    );
  }
}

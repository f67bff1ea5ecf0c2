import { join } from 'node:path';
import { createLogger } from '../observability/logger.js';
import { projectRoot } from '../project-root.js';
import { loadRealmFile, startDevIdp } from './index.js';

/*
 * `npm run dev-idp`: the development IdP alone, for anything written against "Keycloak" at
 * http://localhost:DEV_IDP_PORT. It reads only its own variables (not the gateway's configuration), so that a gateway
 * setting it does not use cannot stop it, and so that NODE_ENV=production gets the dev IdP's own refusal.
 */

function fail(message: string): never {
  console.error(`authgate dev-idp: ${message}`);
  process.exit(1);
}

function portFromEnv(value: string | undefined): number {
  if (value === undefined || value === '') return 8080;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) fail(`DEV_IDP_PORT: must be a port number (1-65535), got "${value}"`);
  return port;
}

async function main(): Promise<void> {
  if (process.env.NODE_ENV === 'production') {
    fail('refusing to start: this is a DEVELOPMENT identity provider and NODE_ENV=production. Use a real Keycloak (KEYCLOAK_URL).');
  }
  const port = portFromEnv(process.env.DEV_IDP_PORT);
  const logger = createLogger({ level: process.env.LOG_LEVEL || 'info', defaultMeta: { component: 'dev-idp' } });
  const realm = await loadRealmFile(join(projectRoot(), 'keycloak-realm.json'));
  const idp = await startDevIdp({ realm, port, publicHost: 'localhost', logger, nodeEnv: process.env.NODE_ENV });
  console.error(`authgate dev-idp: DEVELOPMENT identity provider (not for production), realm "${idp.realmName}": KEYCLOAK_URL=${idp.url}`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('development IdP stopping', { event: 'dev_idp.stopping', signal });
    idp.close().then(
      () => process.exit(0),
      (error: unknown) => fail(`could not stop cleanly: ${error instanceof Error ? error.message : String(error)}`),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));

import { join } from 'node:path';
import { loadConfig } from '../config/load-config.js';
import { createLogger } from '../observability/logger.js';
import { projectRoot } from '../support/project-root.js';
import { loadRealmFile, startDevIdp } from './index.js';

/*
 * `npm run dev-idp`: the development IdP alone, for anything written against "Keycloak" at
 * http://localhost:DEV_IDP_PORT. Settings come through the one config schema, like everything else; in production
 * that schema already refuses a setup without a real Keycloak, and startDevIdp refuses again.
 */

function fail(message: string): never {
  console.error(`authgate dev-idp: ${message}`);
  process.exit(1);
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel, defaultMeta: { component: 'dev-idp' } });
  const realm = await loadRealmFile(join(projectRoot(), 'keycloak-realm.json'));
  const idp = await startDevIdp({
    realm,
    port: config.devIdpPort,
    publicHost: 'localhost',
    logger,
    nodeEnv: config.nodeEnv,
  });
  console.error(
    `authgate dev-idp: DEVELOPMENT identity provider (not for production), realm "${idp.realmName}": KEYCLOAK_URL=${idp.url}`,
  );

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

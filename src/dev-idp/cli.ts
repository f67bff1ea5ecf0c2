import { join } from 'node:path';
import { ConfigError, loadConfig } from '../config/load-config.js';
import { createLogger } from '../observability/logger.js';
import { projectRoot } from '../project-root.js';
import { loadRealmFile, startDevIdp } from './index.js';

// `npm run dev-idp`: the development IdP alone, for a client written against "Keycloak" at http://localhost:DEV_IDP_PORT.
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel, defaultMeta: { component: 'dev-idp' } });
  const realm = await loadRealmFile(join(projectRoot(), 'keycloak-realm.json'));
  const idp = await startDevIdp({ realm, port: config.devIdpPort, publicHost: 'localhost', logger, nodeEnv: config.nodeEnv });
  console.error(`authgate dev-idp: DEVELOPMENT identity provider for realm "${idp.realmName}" at ${idp.url} (not for production)`);
  const stop = () => void idp.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  const message = err instanceof ConfigError || err instanceof Error ? err.message : String(err);
  console.error(`authgate dev-idp: ${message}`);
  process.exit(1);
});

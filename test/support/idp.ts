import { join } from 'node:path';
import { createLogger } from '../../src/observability/logger.js';
import {
  loadRealmFile,
  startDevIdp,
  type DevIdp,
  type DevIdpOptions,
  type Realm,
  type RealmFile,
} from '../../src/dev-idp/index.js';
import { projectRoot } from '../../src/support/project-root.js';
import { Writable } from 'node:stream';

export async function demoRealm(): Promise<Realm> {
  return loadRealmFile(join(projectRoot(), 'keycloak-realm.json'));
}

/** The embedded IdP on an ephemeral port, seeded from the demo realm (optionally changed by the test). */
export async function startTestIdp(
  options: Partial<Omit<DevIdpOptions, 'realm'>> & { realm?: (realm: Realm) => RealmFile } = {},
): Promise<DevIdp> {
  const realm = await demoRealm();
  const { realm: change, ...rest } = options;
  return startDevIdp({
    port: 0,
    logger: createLogger({ level: 'error', stream: new Writable({ write: (_c, _e, cb) => cb() }) }),
    ...rest,
    realm: change ? change(structuredClone(realm)) : realm,
  });
}

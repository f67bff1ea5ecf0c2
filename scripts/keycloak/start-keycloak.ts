import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { projectRoot } from '../../src/support/project-root.js';
import { isPrepared, preparedDistribution } from './distribution.js';
import { freePort } from './free-port.js';
import { createInstanceHome } from './instance-home.js';
import { launchKeycloak } from './keycloak-process.js';
import { waitUntilReady } from './readiness.js';
import { findJava, requireMaven } from './toolchain.js';

export interface StartKeycloakOptions {
  version: string;
  cacheDir: string;
  javaHome?: string | undefined;
  startTimeoutMs?: number;
  /** Imported at start (`--import-realm`); default keycloak-realm.json. */
  realmFile?: string;
  /** Default: free ports. */
  port?: number;
  managementPort?: number;
  /**
   * Keycloak's front-end URL (`--hostname`), which fixes the issuer; default http://127.0.0.1:<port>, the URL a
   * gateway on this machine uses. Not passed when `env` sets KC_HOSTNAME.
   */
  hostname?: string;
  /** More kc.sh options, e.g. `--hostname-backchannel-dynamic=true`. */
  options?: string[];
  /** More environment for kc.sh (KC_* options, JAVA_OPTS_APPEND, ...). */
  env?: Record<string, string>;
  admin?: { username: string; password: string };
  /** Default: keycloak.log in the instance's home, removed when it stops. */
  logFile?: string;
  log?: (line: string) => void;
}

export interface RunningKeycloak {
  version: string;
  /** The base URL a gateway on this machine uses (KEYCLOAK_URL). */
  url: string;
  realm: string;
  realmUrl: string;
  managementUrl: string;
  admin: { username: string; password: string };
  logFile: string;
  stop(): Promise<void>;
}

/**
 * Throws KeycloakPrerequisiteError when this machine cannot start `version`: no java, a Java it does not run on, or no
 * mvn while the version is not cached yet. For a caller that must decide before it starts anything.
 */
export function checkPrerequisites({
  version,
  cacheDir,
  javaHome,
}: Pick<StartKeycloakOptions, 'version' | 'cacheDir' | 'javaHome'>): void {
  const java = findJava(version, javaHome);
  if (!isPrepared(version, cacheDir)) requireMaven(version, java.home);
}

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)}s`;

/**
 * A real Keycloak on 127.0.0.1: the distribution fetched, unpacked and built once per version (see distribution.ts),
 * then `kc.sh start --optimized` with an in-memory database, the realm file imported, a bootstrap admin, local caches
 * (no clustering: instances never find each other) and readiness awaited. Each call is a fresh Keycloak.
 */
export async function startKeycloak(options: StartKeycloakOptions): Promise<RunningKeycloak> {
  const log = options.log ?? (() => undefined);
  const { version } = options;
  const java = findJava(version, options.javaHome);
  const distribution = await preparedDistribution({ version, cacheDir: options.cacheDir, java, log });

  const port = options.port ?? (await freePort());
  const managementPort = options.managementPort ?? (await freePort());
  const home = await createInstanceHome(distribution, options.realmFile ?? join(projectRoot(), 'keycloak-realm.json'));
  const logFile = options.logFile ?? join(home.dir, 'keycloak.log');
  mkdirSync(dirname(logFile), { recursive: true });
  const admin = options.admin ?? { username: 'admin', password: 'admin' };
  const env = options.env ?? {};
  const args = [
    'start',
    '--optimized',
    '--cache=local',
    '--http-enabled=true',
    '--http-host=127.0.0.1',
    `--http-port=${port}`,
    `--http-management-port=${managementPort}`,
    ...(env.KC_HOSTNAME ? [] : [`--hostname=${options.hostname ?? `http://127.0.0.1:${port}`}`]),
    '--import-realm',
    ...(options.options ?? []),
  ];
  // A clean environment: a KC_* variable of the caller's shell must not change the Keycloak a test gets.
  const processEnv = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    ...(java.home ? { JAVA_HOME: java.home } : {}),
    KC_BOOTSTRAP_ADMIN_USERNAME: admin.username,
    KC_BOOTSTRAP_ADMIN_PASSWORD: admin.password,
    // kc.sh's default outside containers is -Xmx512m, which 26.5 outgrows while starting (keycloak#45459).
    JAVA_OPTS_KC_HEAP: '-Xms128m -Xmx1g',
    ...env,
  };

  const started = Date.now();
  log(
    `starting Keycloak ${version} (Java ${java.major}) on 127.0.0.1:${port}, management port ${managementPort}, log ${logFile}`,
  );
  const child = launchKeycloak(home.kcSh, args, { env: processEnv, cwd: home.dir, logFile });
  const url = `http://127.0.0.1:${port}`;
  const realmUrl = `${url}/realms/${home.realm}`;
  const managementUrl = `http://127.0.0.1:${managementPort}`;
  const stop = async () => {
    await child.stop();
    await home.remove();
  };
  try {
    await waitUntilReady({
      process: child,
      managementUrl,
      realmUrl,
      logFile,
      timeoutMs: options.startTimeoutMs ?? 300_000,
    });
  } catch (err) {
    // The home (and a log kept there) stays for a look; it is under the system's temporary folder.
    await child.stop();
    throw err;
  }
  log(`Keycloak ${version} ready in ${seconds(started)}`);
  return { version, url, realm: home.realm, realmUrl, managementUrl, admin, logFile, stop };
}

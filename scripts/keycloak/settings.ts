import { homedir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_VERSION, parseVersion } from './versions.js';

export interface KeycloakSettings {
  version: string;
  cacheDir: string;
  javaHome: string | undefined;
  startTimeoutMs: number;
}

/**
 * The environment of the Keycloak tools (`npm run keycloak`, the Keycloak test tier), read in this one place:
 * KEYCLOAK_VERSION (default: the newest tested), KEYCLOAK_CACHE_DIR (default: ~/.cache/authgate/keycloak, outside
 * the work tree, so clones share it), JAVA_HOME (default: the `java` on PATH), KEYCLOAK_START_TIMEOUT_SECONDS.
 */
export function keycloakSettings(env: NodeJS.ProcessEnv = process.env): KeycloakSettings {
  const version = env.KEYCLOAK_VERSION?.trim() || DEFAULT_VERSION;
  parseVersion(version);
  const cacheHome = env.XDG_CACHE_HOME?.trim() || join(homedir(), '.cache');
  const timeout = Number(env.KEYCLOAK_START_TIMEOUT_SECONDS ?? 300);
  if (!Number.isInteger(timeout) || timeout < 10)
    throw new Error(
      `KEYCLOAK_START_TIMEOUT_SECONDS must be a whole number of seconds (10 or more), not "${env.KEYCLOAK_START_TIMEOUT_SECONDS}"`,
    );
  return {
    version,
    cacheDir: env.KEYCLOAK_CACHE_DIR?.trim() || join(cacheHome, 'authgate', 'keycloak'),
    javaHome: env.JAVA_HOME?.trim() || undefined,
    startTimeoutMs: timeout * 1000,
  };
}

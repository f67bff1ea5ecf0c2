import { readFileSync } from 'node:fs';
import { keycloakSettings, startKeycloak } from '../../scripts/keycloak/index.js';
import { KeycloakTestAdmin } from '../../test/keycloak/admin-api.js';
import { listenerPid } from '../lib/listener-pid.js';
import { processCpuMs, processWaitMs, type Target } from '../lib/processes.js';

export interface BenchKeycloak {
  target: Target;
  version: string;
  /** Whether the bench started this Keycloak (and may pin it to a CPU); false for one named by KEYCLOAK_URL. */
  own: boolean;
  admin: KeycloakTestAdmin;
}

/**
 * The Keycloak to measure: the one KEYCLOAK_URL names, or a fresh one (scripts/keycloak: KEYCLOAK_VERSION, the cached
 * distribution, an in-memory database). Its CPU is its JVM's, found by the port it listens on.
 */
export async function benchKeycloak(log: (line: string) => void): Promise<BenchKeycloak> {
  const given = process.env.KEYCLOAK_URL?.replace(/\/+$/, '');
  const running = given ? undefined : await startKeycloak({ ...keycloakSettings(), log });
  const url = given ?? running?.url ?? '';
  const admin = new KeycloakTestAdmin(url);
  const version = running?.version ?? (await serverVersion(admin));
  const port = Number(new URL(url).port || 80);
  const pid = listenerPid(port);
  if (pid === undefined)
    log(`no process of this machine that this user may read listens on port ${port}: Keycloak's CPU is not measured`);
  else log(`Keycloak ${version} at ${url}, JVM pid ${pid}`);
  return {
    version,
    own: running !== undefined,
    admin,
    target: {
      name: `Keycloak ${version}`,
      url,
      pid: pid ?? 0,
      rss: () =>
        pid === undefined
          ? Number.NaN
          : Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024,
      cpuMs: () => (pid === undefined ? Number.NaN : processCpuMs(pid)),
      waitMs: () => (pid === undefined ? Number.NaN : processWaitMs(pid)),
      stop: async () => running?.stop(),
    },
  };
}

async function serverVersion(admin: KeycloakTestAdmin): Promise<string> {
  try {
    return (await admin.call<{ systemInfo: { version: string } }>('GET', '/admin/serverinfo')).systemInfo.version;
  } catch {
    return 'of unknown version';
  }
}

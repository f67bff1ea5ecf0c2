import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { tail } from './commands.js';
import { DOCKER_ALTERNATIVE, KeycloakPrerequisiteError } from './errors.js';
import { supportedJavaMajors } from './versions.js';

export interface Java {
  /** Handed to kc.sh as JAVA_HOME; undefined means the `java` on PATH. */
  home: string | undefined;
  major: number;
}

/** `openjdk version "17.0.15" 2025-04-15` → 17; the old `"1.8.0_412"` scheme → 8. */
export function javaMajor(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 ? Number(match[2]) : first;
}

/** The Java kc.sh will use (JAVA_HOME's, else the one on PATH), checked against what this Keycloak runs on. */
export function findJava(version: string, javaHome: string | undefined): Java {
  const supported = orList(supportedJavaMajors(version));
  const command = javaHome ? join(javaHome, 'bin', 'java') : 'java';
  const where = javaHome ? `JAVA_HOME (${javaHome}) has no working bin/java` : 'there is no `java` on PATH';
  const result = spawnSync(command, ['-version'], { encoding: 'utf8', timeout: 60_000 });
  if (result.error || result.status !== 0) {
    throw new KeycloakPrerequisiteError(
      `Keycloak ${version} needs Java (${supported}) and ${where}. Install a JDK (Debian/Ubuntu: apt-get install -y openjdk-17-jdk-headless) or set JAVA_HOME to one, ${DOCKER_ALTERNATIVE}`,
    );
  }
  const major = javaMajor(`${result.stderr}${result.stdout}`);
  if (major === undefined || !supportedJavaMajors(version).includes(major)) {
    throw new KeycloakPrerequisiteError(
      `Keycloak ${version} runs on Java ${supported}, and ${command} is Java ${major ?? '(unrecognised version)'}. Set JAVA_HOME to a supported JDK, ${DOCKER_ALTERNATIVE}`,
    );
  }
  return { home: javaHome, major };
}

/** Maven fetches the distribution (once: it stays in Maven's local repository and in the unpacked cache). */
export function requireMaven(version: string, javaHome: string | undefined): void {
  const result = spawnSync('mvn', ['-B', '-v'], { encoding: 'utf8', timeout: 120_000, env: mavenEnv(javaHome) });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new KeycloakPrerequisiteError(
      `fetching Keycloak ${version} needs Maven (\`mvn\`), and it is not on PATH. Install it (Debian/Ubuntu: apt-get install -y maven), ${DOCKER_ALTERNATIVE}`,
    );
  }
  if (result.error || result.status !== 0) {
    throw new KeycloakPrerequisiteError(
      `\`mvn -v\` fails, so Keycloak ${version} cannot be fetched: ${tail(`${result.stdout ?? ''}${result.stderr ?? ''}${result.error?.message ?? ''}`, 5)}`,
    );
  }
}

/** [17, 21] → "17 or 21"; [17, 21, 25] → "17, 21 or 25". */
function orList(items: number[]): string {
  return items.length > 1 ? `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}` : items.join('');
}

export function mavenEnv(javaHome: string | undefined): NodeJS.ProcessEnv {
  return javaHome ? { ...process.env, JAVA_HOME: javaHome } : { ...process.env };
}

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from './commands.js';
import { KeycloakStartError } from './errors.js';
import { mavenEnv, requireMaven, type Java } from './toolchain.js';

/**
 * Build-time options, baked in once per version by `kc.sh build` so that every start is `start --optimized` (start-dev
 * re-augments, about half a minute, at every start). Everything else is a runtime option of each start.
 */
export const BUILD_OPTIONS = ['--db=dev-mem', '--health-enabled=true'];

// Pinned, as every dependency is; `copy` needs no pom (requiresProject = false).
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';
const READY_MARKER = '.authgate-built';

export interface DistributionRequest {
  version: string;
  /** Where unpacked and built distributions are kept, one folder per version and build options. */
  cacheDir: string;
  java: Java;
  log: (line: string) => void;
}

function distributionHome(version: string, cacheDir: string): string {
  const key = createHash('sha256').update(BUILD_OPTIONS.join(' ')).digest('hex').slice(0, 8);
  return join(cacheDir, `keycloak-${version}-${key}`);
}

/** Whether `version` is unpacked and built in `cacheDir` already (then starting it needs no Maven). */
export function isPrepared(version: string, cacheDir: string): boolean {
  return existsSync(join(distributionHome(version, cacheDir), READY_MARKER));
}

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)}s`;

/**
 * The folder of a Keycloak distribution ready for `kc.sh start --optimized`: fetched through Maven (which keeps the
 * archive in its local repository), unpacked and built once, then reused. Preparation happens in a scratch folder
 * renamed into place at the end, so an interrupted or concurrent preparation never leaves a half-built one behind.
 */
export async function preparedDistribution({ version, cacheDir, java, log }: DistributionRequest): Promise<string> {
  const home = distributionHome(version, cacheDir);
  if (isPrepared(version, cacheDir)) return home;

  requireMaven(version, java.home);
  await mkdir(cacheDir, { recursive: true });
  const scratch = await mkdtemp(join(cacheDir, `.preparing-${version}-`));
  try {
    const artifact = `org.keycloak:keycloak-quarkus-dist:${version}:tar.gz`;
    let started = Date.now();
    await runCommand(
      'mvn',
      ['-B', '-q', `${DEPENDENCY_PLUGIN}:copy`, `-Dartifact=${artifact}`, `-DoutputDirectory=${scratch}`],
      { env: mavenEnv(java.home) },
    ).catch((err: Error) => {
      throw new KeycloakStartError(
        `Maven could not fetch ${artifact} (is ${version} a Keycloak release on Maven Central?): ${err.message}`,
      );
    });
    log(`fetched ${artifact} through Maven in ${seconds(started)}`);

    started = Date.now();
    const archive = join(scratch, `keycloak-quarkus-dist-${version}.tar.gz`);
    await runCommand('tar', ['-xzf', archive, '-C', scratch]);
    await rm(archive);
    const unpacked = join(scratch, `keycloak-${version}`);
    log(`unpacked it in ${seconds(started)}`);

    started = Date.now();
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...(java.home ? { JAVA_HOME: java.home } : {}),
    };
    await runCommand(join(unpacked, 'bin', 'kc.sh'), ['build', ...BUILD_OPTIONS], { env, cwd: unpacked }).catch(
      (err: Error) => {
        throw new KeycloakStartError(`kc.sh build failed: ${err.message}`);
      },
    );
    await writeFile(join(unpacked, READY_MARKER), `kc.sh build ${BUILD_OPTIONS.join(' ')}\n`);
    log(`built it (kc.sh build ${BUILD_OPTIONS.join(' ')}) in ${seconds(started)}`);

    await rename(unpacked, home).catch((err: NodeJS.ErrnoException) => {
      // Another run prepared the same version meanwhile: use theirs.
      if (!existsSync(join(home, READY_MARKER))) throw err;
    });
    return home;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

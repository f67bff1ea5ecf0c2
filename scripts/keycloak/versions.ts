/**
 * The Keycloak releases this project is tested against (CI runs the Keycloak tier on each), oldest first. Both are
 * served by Maven Central as org.keycloak:keycloak-quarkus-dist (no 26.6.x is published there).
 */
export const TESTED_VERSIONS = ['26.5.6', '26.7.3'] as const;

/** What `npm run keycloak` and the Keycloak tier start when KEYCLOAK_VERSION is unset: the newest tested. */
export const DEFAULT_VERSION: string = TESTED_VERSIONS[TESTED_VERSIONS.length - 1] ?? '26.7.3';

const VERSION = /^(\d+)\.(\d+)\.(\d+)$/;

export function parseVersion(version: string): { major: number; minor: number; patch: number } {
  const match = VERSION.exec(version);
  if (!match) throw new Error(`KEYCLOAK_VERSION must be a release number such as ${DEFAULT_VERSION}, not "${version}"`);
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) };
}

/** Java releases a Keycloak version runs on: 17 and 21 throughout 26.x; 25 since 26.6 (26.6.0 release notes). */
export function supportedJavaMajors(version: string): number[] {
  const { major, minor } = parseVersion(version);
  return major > 26 || (major === 26 && minor >= 6) ? [17, 21, 25] : [17, 21];
}

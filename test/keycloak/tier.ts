import { join } from 'node:path';
import {
  checkPrerequisites,
  keycloakSettings,
  startKeycloak,
  type RunningKeycloak,
} from '../../scripts/keycloak/index.js';
import { projectRoot } from '../../src/support/project-root.js';

/*
 * The Keycloak tier (npm run test:keycloak). Jest's global setup starts one real Keycloak for every suite, unless
 * KEYCLOAK_URL names one already running (e.g. docker compose up keycloak), and hands its URL to the test files in
 * KEYCLOAK_URL. Under CI=true a Keycloak that cannot be started fails the run; elsewhere a machine without java or
 * mvn gets a plain "skipped because ..." and every suite of the tier skips.
 */

const RUNNING = Symbol.for('authgate.keycloak-tier');
const SKIPPED = 'AUTHGATE_KEYCLOAK_TIER_SKIPPED';
const say = (line: string) => console.log(`test:keycloak: ${line}`);

type Holder = { [RUNNING]?: RunningKeycloak };

export async function setUpKeycloakTier(): Promise<void> {
  if (process.env.KEYCLOAK_URL) {
    say(`using the Keycloak at ${process.env.KEYCLOAK_URL} (KEYCLOAK_URL)`);
    return;
  }
  const settings = keycloakSettings();
  try {
    const keycloak = await startKeycloak({
      ...settings,
      logFile: join(projectRoot(), 'test-results', 'keycloak', `keycloak-${settings.version}.log`),
      log: say,
    });
    (globalThis as Holder)[RUNNING] = keycloak;
    process.env.KEYCLOAK_URL = keycloak.url;
  } catch (err) {
    // By name: the error class comes from a module graph tsx loaded, not necessarily this one's.
    if (err instanceof Error && err.name === 'KeycloakPrerequisiteError' && process.env.CI !== 'true') {
      process.env[SKIPPED] = err.message;
      console.log(`\ntest:keycloak skipped because ${err.message}\n`);
      return;
    }
    throw err;
  }
}

export async function tearDownKeycloakTier(): Promise<void> {
  const holder = globalThis as Holder;
  const keycloak = holder[RUNNING];
  delete holder[RUNNING];
  await keycloak?.stop();
}

/**
 * For a test file: the Keycloak to test against, or undefined (with the reason printed) when the tier skipped.
 * Under CI=true there is always one, or the run fails here.
 */
export function keycloakUnderTest(suite: string): string | undefined {
  const url = process.env.KEYCLOAK_URL;
  if (url) return url;
  const reason = process.env[SKIPPED] ?? 'no Keycloak was started (run it with npm run test:keycloak)';
  if (process.env.CI === 'true') throw new Error(`${suite}: a real Keycloak is required under CI=true: ${reason}`);
  console.log(`SKIPPED ${suite}: ${reason}`);
  return undefined;
}

/**
 * For a test file that starts a Keycloak of its own (with options the tier's has not): whether this machine can.
 * Same rule as the tier's: under CI=true it must, elsewhere the suite says why it skipped.
 */
export function canStartOwnKeycloak(suite: string): boolean {
  const skipped = process.env[SKIPPED];
  let reason = skipped;
  if (!reason) {
    try {
      checkPrerequisites(keycloakSettings());
    } catch (err) {
      if (!(err instanceof Error && err.name === 'KeycloakPrerequisiteError')) throw err;
      reason = err.message;
    }
  }
  if (!reason) return true;
  if (process.env.CI === 'true') throw new Error(`${suite}: a real Keycloak is required under CI=true: ${reason}`);
  console.log(`SKIPPED ${suite}: ${reason}`);
  return false;
}

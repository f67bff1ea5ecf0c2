import { existsSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Whether Debian's Chromium is there. Under CI=true a missing Chromium fails the run; elsewhere the suite says it
 * skipped. A browser is never downloaded.
 */
export function chromiumAvailable(suite: string): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === 'true')
    throw new Error(
      `${suite}: Chromium is required under CI=true and is missing at ${CHROMIUM} (apt-get install -y chromium)`,
    );
  console.warn(`SKIPPED ${suite}: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
  return false;
}

/** Headless Chromium with a fresh profile, and the flags that keep it quiet on a machine without a network. */
export async function launchChromium(): Promise<BrowserContext> {
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'authgate-chromium-')), {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-dev-shm-usage',
    ],
  });
}

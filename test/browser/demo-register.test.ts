import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { BrowserContext, Page } from 'playwright-core';
import { projectRoot } from '../../src/support/project-root.js';
import { chromiumAvailable, launchChromium } from '../support/chromium.js';
import { listen, type Listening } from '../support/listen.js';
import { closedPort } from '../support/ports.js';
import {
  providerKind,
  providerSuite,
  providerUnderTest,
  type ProviderUnderTest,
} from '../support/provider-under-test.js';

/*
 * The demo SPA's registration form in Chromium, against the provider under test (the embedded IdP in `npm test`, a
 * private copy of the demo realm in a real Keycloak in `npm run test:keycloak`).
 */
const SUITE = 'the demo SPA registers in Chromium';
const KIND = providerKind();
const describeInBrowser = chromiumAvailable(SUITE) ? providerSuite(SUITE) : describe.skip;
const SCREENSHOTS = join(projectRoot(), 'test-results', 'screenshots');
const screenshot = (name: string) => join(SCREENSHOTS, KIND === 'embedded' ? `${name}.png` : `${KIND}-${name}.png`);
const FLOW_MS = 60_000;

describeInBrowser(`${SUITE} (${KIND} provider)`, () => {
  let provider: ProviderUnderTest;
  let server: Listening;
  let publicUrl: string;
  let context: BrowserContext;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const port = await closedPort();
    publicUrl = `http://localhost:${port}`;
    provider = await providerUnderTest({ name: 'demo-register' });
    const gateway = provider.gateway({ mode: 'session', env: { PUBLIC_URL: publicUrl, REGISTRATION_ENABLED: 'true' } });
    server = await listen(gateway.app, port);
    context = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await context?.close();
    await server?.close();
    await provider?.close();
  });

  async function openDemo(page: Page): Promise<void> {
    await page.goto(`${publicUrl}/demo/`);
    await page.locator('#status').filter({ hasNotText: 'Loading' }).waitFor();
  }

  async function fill(page: Page, fields: Record<string, string>): Promise<void> {
    for (const [name, value] of Object.entries(fields)) await page.fill(`#register-form input[name=${name}]`, value);
    await page.click('#register-form button[type=submit]');
  }

  const fieldError = (page: Page, field: string) => page.locator(`#register-form [data-field="${field}"]`);

  it(
    'shows the refusals next to their fields, then registers a new user who lands signed in',
    async () => {
      const page = await context.newPage();
      await openDemo(page);
      const username = `browser-${randomUUID().slice(0, 8)}`;
      await fill(page, {
        username: 'alice',
        email: `${username}@example.test`,
        first_name: 'Brow',
        last_name: 'Ser',
        password: 'short',
      });
      // Keycloak checks the name before the password: the taken username is what it says first.
      await fieldError(page, 'username').filter({ hasText: 'taken' }).waitFor();
      expect(await fieldError(page, 'username').textContent()).toBe('Username is already taken.');
      await fill(page, { username, password: 'short' });
      await fieldError(page, 'password').filter({ hasText: 'characters' }).waitFor();
      expect(await fieldError(page, 'password').textContent()).toBe('Password must be at least 8 characters long.');
      expect(await fieldError(page, 'username').isHidden()).toBe(true);
      await page.screenshot({ path: screenshot('register-refused') });

      await fill(page, { password: 'a-good-password' });
      await page.locator('#signed-in').waitFor();
      expect(await page.locator('#status').textContent()).toBe(`Signed in as ${username}`);
      expect(await page.locator('#user-name').textContent()).toBe('Brow Ser');
      expect(await page.locator('#user-email').textContent()).toBe(`${username}@example.test`);
      const me = await context.request.get(`${publicUrl}/api/auth/me`);
      expect(me.status()).toBe(200);
      expect(await me.json()).toMatchObject({ user: { username, email: `${username}@example.test` } });
      expect(await page.evaluate(() => document.cookie)).toBe('');
      await page.screenshot({ path: screenshot('register-signed-in') });
      await page.close();
    },
    FLOW_MS,
  );
});

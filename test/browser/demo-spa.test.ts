import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { BrowserContext, Page } from 'playwright-core';
import type { DevIdp } from '../../src/dev-idp/index.js';
import { projectRoot } from '../../src/project-root.js';
import { chromiumAvailable, launchChromium } from '../support/chromium.js';
import { MovableClock } from '../support/clock.js';
import { buildTestGateway, type TestGateway } from '../support/gateway.js';
import { startTestIdp } from '../support/idp.js';
import { listen, type Listening } from '../support/listen.js';
import { closedPort } from '../support/ports.js';

const SUITE = 'the demo SPA in Chromium';
const available = chromiumAvailable(SUITE);
const describeInBrowser = available ? describe : describe.skip;
const SCREENSHOTS = join(projectRoot(), 'test-results', 'screenshots');

let idp: DevIdp;
let gateway: TestGateway;
let server: Listening;
let context: BrowserContext;
const clock = new MovableClock();
beforeAll(async () => {
  if (!available) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  const port = await closedPort();
  const publicUrl = `http://127.0.0.1:${port}`;
  // A shortened access-token lifetime, and the gateway's own address as the client's redirect URI.
  idp = await startTestIdp({
    realm: (realm) => ({
      ...realm,
      accessTokenLifespan: 30,
      clients: realm.clients.map((c) => (c.clientId === 'authgate' ? { ...c, redirectUris: [`${publicUrl}/api/auth/callback`] } : c)),
    }),
  });
  gateway = buildTestGateway({ idpUrl: idp.url, mode: 'session', clock, env: { PUBLIC_URL: publicUrl, REFRESH_SKEW_SECONDS: '5' } });
  server = await listen(gateway.app, port);
  context = await launchChromium();
}, 60_000);
afterAll(async () => {
  if (!available) return;
  await context.close();
  await server.close();
  await idp.close();
});

async function openDemo(page: Page): Promise<void> {
  await page.goto(`${server.url}/demo/`);
  await page.locator('#status').filter({ hasNotText: 'Loading' }).waitFor();
}

async function signIn(page: Page, username: string, password = `${username}-password`): Promise<void> {
  await page.fill('#login-form input[name=username]', username);
  await page.fill('#login-form input[name=password]', password);
  await page.click('#login-form button[type=submit]');
}

const refreshGrants = () => idp.seen.filter((s) => s.grantType === 'refresh_token');

describeInBrowser(SUITE, () => {
  it('logs alice in with the form; the page shows her card and cannot read the session cookie', async () => {
    const page = await context.newPage();
    await openDemo(page);
    await expect(page.locator('#status').textContent()).resolves.toBe('Not signed in.');
    await signIn(page, 'alice');
    await page.locator('#signed-in').waitFor();
    expect(await page.locator('#user-name').textContent()).toBe('Alice Liddell');
    expect(await page.locator('#user-email').textContent()).toBe('alice@example.test');
    expect(await page.evaluate(() => document.cookie)).toBe('');
    const cookies = await context.cookies(server.url);
    expect(cookies).toEqual([expect.objectContaining({ name: 'authgate.sid', httpOnly: true, sameSite: 'Strict', path: '/' })]);
    await page.screenshot({ path: join(SCREENSHOTS, '1-signed-in.png') });
    await page.close();
  });

  it('after the access token expires, the next call succeeds, the gateway refreshed once, and the page says so', async () => {
    const page = await context.newPage();
    await openDemo(page);
    await page.locator('#signed-in').waitFor();
    expect(await page.locator('#refresh-note').isHidden()).toBe(true);
    clock.advanceSeconds(30);
    idp.clearSeen();
    await page.click('#call-me');
    await page.locator('#me-result').filter({ hasText: 'alice' }).waitFor();
    expect(JSON.parse((await page.locator('#me-result').textContent()) ?? '')).toEqual({ user: expect.objectContaining({ username: 'alice' }) });
    await page.locator('#refresh-note').waitFor();
    expect(refreshGrants()).toEqual([expect.objectContaining({ status: 200 })]);
    await page.screenshot({ path: join(SCREENSHOTS, '2-transparent-refresh.png') });
    await page.close();
  });

  it('signs out in one tab and the other tab shows signed out at once', async () => {
    const [first, second] = [await context.newPage(), await context.newPage()];
    await openDemo(first);
    await openDemo(second);
    await second.locator('#signed-in').waitFor();
    await first.click('#logout');
    await first.locator('#signed-out').waitFor();
    await second.locator('#signed-out').waitFor();
    expect(await second.locator('#status').textContent()).toBe('Signed out.');
    await second.screenshot({ path: join(SCREENSHOTS, '3-other-tab-signed-out.png') });
    await first.close();
    await second.close();
  });

  it('tells a disabled user (bob) so, plainly', async () => {
    const page = await context.newPage();
    await openDemo(page);
    await signIn(page, 'bob');
    await page.locator('#login-error').waitFor();
    expect(await page.locator('#login-error').textContent()).toBe('This account is disabled. Contact your administrator.');
    expect(await page.locator('#signed-in').isHidden()).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, '4-disabled-user.png') });
    await page.close();
  });

  it("signs in through the IdP's login page with the code-flow button and comes back signed in", async () => {
    const page = await context.newPage();
    await openDemo(page);
    await page.locator('#signed-out').waitFor();
    idp.clearSeen();
    await page.click('#code-flow');
    await page.waitForURL((url) => url.href.startsWith(idp.url));
    await page.locator('input[name=username]').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, '5-idp-login-page.png') });
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', 'admin-password');
    await page.click('button[type=submit]');
    await page.waitForURL(`${server.url}/demo/`);
    await page.locator('#signed-in').waitFor();
    expect(await page.locator('#status').textContent()).toBe('Signed in as admin');
    expect(idp.seen).toContainEqual(expect.objectContaining({ grantType: 'authorization_code', status: 200 }));
    await page.screenshot({ path: join(SCREENSHOTS, '6-back-from-code-flow.png') });
    await page.close();
  });
});

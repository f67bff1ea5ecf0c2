import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import express from 'express';
import type { BrowserContext, Page } from 'playwright-core';
import { bundleClient } from '../../src/http/routes/demo.js';
import { chromiumAvailable, launchChromium } from '../support/chromium.js';
import { listen, type Listening } from '../support/listen.js';
import { closedPort } from '../support/ports.js';
import {
  providerKind,
  providerSuite,
  providerUnderTest,
  type ProviderUnderTest,
} from '../support/provider-under-test.js';

// Token mode's tab sharing (Web Locks around a refresh, BroadcastChannel for new tokens and logouts) only exists in a
// browser: here an SPA on an origin of its own calls the gateway across origins (CORS), in two tabs of one Chromium,
// against the provider under test (the embedded IdP in npm test, a real Keycloak in the Keycloak tier).
const SUITE = 'the SDK in token mode across browser tabs';
const describeInBrowser = chromiumAvailable(SUITE) ? providerSuite(SUITE) : describe.skip;
// Two tabs, logins and refreshes through a real Keycloak take seconds on a busy machine.
const TABS_MS = 60_000;

let provider: ProviderUnderTest;
let gatewayServer: Listening;
let spaServer: Listening;
let context: BrowserContext;
async function setUp(): Promise<void> {
  provider = await providerUnderTest({ name: 'sdk-tabs', realm: (realm) => ({ ...realm, accessTokenLifespan: 30 }) });
  const spaPort = await closedPort();
  const spaOrigin = `http://127.0.0.1:${spaPort}`;
  const gateway = provider.gateway({ mode: 'token', env: { CORS_ORIGINS: spaOrigin } });
  gatewayServer = await listen(gateway.app);
  const bundle = await bundleClient();
  const spa = express();
  spa.get('/authgate-client.js', (_req, res) => res.type('text/javascript').send(bundle));
  // The page's clock runs `offset` ms ahead, so a test can bring the access token within the refresh skew at once.
  spa.get('/', (_req, res) =>
    res.type('html').send(`<!doctype html><title>token-mode tabs</title><script type="module">
import { createAuthClient, webStorage } from './authgate-client.js';
window.offset = 0;
window.events = [];
window.auth = createAuthClient({ baseURL: ${JSON.stringify(gatewayServer.url)}, mode: 'token', storage: webStorage(localStorage), refreshSkewSeconds: 5, now: () => Date.now() + window.offset });
for (const event of ['loggedIn', 'loggedOut', 'sessionExpired', 'refreshed']) window.auth.on(event, () => window.events.push(event));
window.outcome = (call) => call.then((value) => ({ value }), (err) => ({ code: err.code, status: err.status }));
window.ready = true;
</script>`),
  );
  spaServer = await listen(spa, spaPort);
  context = await launchChromium();
}

interface PageGlobals {
  offset: number;
  events: string[];
  auth: { login(u: string, p: string): Promise<unknown>; me(): Promise<{ username: string }>; logout(): Promise<void> };
  outcome<T>(call: Promise<T>): Promise<{ value?: T; code?: string; status?: number }>;
}
declare const window: PageGlobals;

async function openTab(): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${spaServer.url}/`);
  await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
  return page;
}

const refreshGrants = () => provider.seen.filter((s) => s.grantType === 'refresh_token');
const storedTokens = (page: Page) => page.evaluate(() => localStorage.getItem('authgate.tokens'));

describeInBrowser(`${SUITE} (${providerKind()} provider)`, () => {
  beforeAll(setUp, 60_000);
  afterAll(async () => {
    await context?.close();
    await Promise.all([spaServer?.close(), gatewayServer?.close()]);
    await provider?.close();
  });

  it(
    'two tabs whose token is about to expire refresh once between them, and both calls answer',
    async () => {
      const [first, second] = [await openTab(), await openTab()];
      await first.evaluate(() => window.auth.login('alice', 'alice-password'));
      const loggedIn = await storedTokens(second);
      expect(loggedIn).toEqual(expect.stringContaining('"accessToken"'));
      for (const tab of [first, second]) await tab.evaluate(() => (window.offset = 26_000));
      provider.clearSeen();
      const answers = await Promise.all(
        [first, second].map((tab) => tab.evaluate(() => window.outcome(window.auth.me()))),
      );
      expect(answers).toEqual([
        { value: expect.objectContaining({ username: 'alice' }) },
        { value: expect.objectContaining({ username: 'alice' }) },
      ]);
      expect(refreshGrants()).toEqual([expect.objectContaining({ status: 200 })]);
      const refreshed = await storedTokens(first);
      expect(refreshed).not.toBe(loggedIn);
      // localStorage reaches the other tab asynchronously too.
      await second.waitForFunction((expected) => localStorage.getItem('authgate.tokens') === expected, refreshed, {
        timeout: 5000,
      });
      // The tab that refreshed announces it; the other hears of the new tokens on the BroadcastChannel, in its own time.
      for (const tab of [first, second])
        await tab.waitForFunction(() => window.events.includes('refreshed'), undefined, { timeout: 5000 });
      await first.close();
      await second.close();
    },
    TABS_MS,
  );

  it(
    "a logout in one tab clears the tokens in the other, which hears loggedOut and is no longer logged in, and the provider's session is over",
    async () => {
      const [first, second] = [await openTab(), await openTab()];
      await first.evaluate(() => window.auth.login('alice', 'alice-password'));
      const { refreshToken } = JSON.parse((await storedTokens(second)) ?? '{}') as { refreshToken: string };
      await expect(provider.sessionActive(refreshToken)).resolves.toBe(true);
      await first.evaluate(() => window.auth.logout());
      await second.waitForFunction(() => window.events.includes('loggedOut'));
      expect(await storedTokens(second)).toBeNull();
      expect(await second.evaluate(() => window.outcome(window.auth.me()))).toEqual({
        code: 'unauthenticated',
        status: 401,
      });
      expect(provider.seen).toContainEqual(expect.objectContaining(provider.says.logout));
      await expect(provider.sessionActive(refreshToken)).resolves.toBe(false);
      await first.close();
      await second.close();
    },
    TABS_MS,
  );
});

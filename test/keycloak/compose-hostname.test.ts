import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { BrowserContext } from 'playwright-core';
import { freePort, keycloakSettings, startKeycloak, type RunningKeycloak } from '../../scripts/keycloak/index.js';
import type { Fetch } from '../../src/idp/provider-fetch.js';
import { projectRoot } from '../../src/support/project-root.js';
import { chromiumAvailable, launchChromium } from '../support/chromium.js';
import { buildTestGateway } from '../support/gateway.js';
import { listen, type Listening } from '../support/listen.js';
import { canStartOwnKeycloak } from './tier.js';

/*
 * docker-compose.yml's Keycloak setup, proven without Docker. There the browser reaches Keycloak as localhost:8080
 * and the gateway, in its own container, as keycloak:8080, where "localhost" is the gateway itself. Keycloak's answer
 * is a fixed front-end URL for browsers (KC_HOSTNAME) and back-channel URLs that follow the request
 * (KC_HOSTNAME_BACKCHANNEL_DYNAMIC). Here: Keycloak with exactly those two settings, Chromium on localhost:<port>,
 * the gateway on 127.0.0.1:<port> and refusing to call localhost at all, as in its container.
 */
const SUITE = 'the docker-compose hostname setup, in Chromium against a real Keycloak';
const run = chromiumAvailable(SUITE) && canStartOwnKeycloak(SUITE);
const settings = keycloakSettings();

interface BackChannelCall {
  url: string;
  status: number | 'refused';
}

let keycloak: RunningKeycloak;
let server: Listening;
let context: BrowserContext;
let gatewayUrl: string;
let frontEnd: string;
let realmDir: string | undefined;
const calls: BackChannelCall[] = [];

/** The gateway's network, as in its container: Keycloak answers as 127.0.0.1 (keycloak:8080 there), localhost is the gateway itself. */
const containerNetwork = (network: Fetch): Fetch => {
  return async (url, init) => {
    const target = new URL(String(url));
    if (target.hostname === 'localhost') {
      calls.push({ url: target.href, status: 'refused' });
      throw new TypeError('fetch failed', {
        cause: Object.assign(new Error(`connect ECONNREFUSED ${target.host}`), { code: 'ECONNREFUSED' }),
      });
    }
    const res = await network(url, init);
    calls.push({ url: target.href, status: res.status });
    return res;
  };
};

beforeAll(async () => {
  if (!run) return;
  const [keycloakPort, gatewayPort] = [await freePort(), await freePort()];
  frontEnd = `http://localhost:${keycloakPort}`;
  gatewayUrl = `http://localhost:${gatewayPort}`;
  // The demo realm, with this gateway's callback as the client's redirect URI (compose uses http://localhost:3000).
  const realm = JSON.parse(readFileSync(join(projectRoot(), 'keycloak-realm.json'), 'utf8')) as {
    clients: { clientId: string; redirectUris: string[] }[];
  };
  for (const client of realm.clients)
    if (client.clientId === 'authgate') client.redirectUris = [`${gatewayUrl}/api/auth/callback`];
  realmDir = mkdtempSync(join(tmpdir(), 'authgate-realm-'));
  const realmFile = join(realmDir, 'demo-realm.json');
  writeFileSync(realmFile, JSON.stringify(realm));

  keycloak = await startKeycloak({
    ...settings,
    port: keycloakPort,
    realmFile,
    // docker-compose.yml's values, with this run's port.
    env: { KC_HOSTNAME: frontEnd, KC_HOSTNAME_BACKCHANNEL_DYNAMIC: 'true' },
    logFile: join(projectRoot(), 'test-results', 'keycloak', `compose-hostname-${settings.version}.log`),
    log: (line) => console.log(`${SUITE}: ${line}`),
  });
  const gateway = buildTestGateway({
    idpUrl: keycloak.url,
    mode: 'session',
    wrapFetch: containerNetwork,
    env: { PUBLIC_URL: gatewayUrl, KEYCLOAK_ISSUER: `${frontEnd}/realms/demo`, IDP_TIMEOUT_MS: '10000' },
  });
  server = await listen(gateway.app, gatewayPort);
  context = await launchChromium();
}, settings.startTimeoutMs + 60_000);

afterAll(async () => {
  if (!run) return;
  await context?.close();
  await server?.close();
  await keycloak?.stop();
  if (realmDir) rmSync(realmDir, { recursive: true, force: true });
}, 60_000);

(run ? describe : describe.skip)(SUITE, () => {
  it("signs in through Keycloak's own login page at localhost, the gateway calling it only at 127.0.0.1, and signs out", async () => {
    const page = await context.newPage();
    await page.goto(`${gatewayUrl}/api/auth/login?return_to=/demo/`);
    // The browser is sent to the front-end name, never to the address only the gateway can reach.
    await page.waitForURL((url) => url.href.startsWith(`${frontEnd}/realms/demo/protocol/openid-connect/auth?`));
    await page.fill('#username', 'alice');
    await page.fill('#password', 'alice-password');
    await page.click('#kc-login');
    await page.waitForURL(`${gatewayUrl}/demo/`);
    await page.locator('#signed-in').waitFor();
    expect(await page.locator('#status').textContent()).toBe('Signed in as alice');
    // The same session, asked directly (the browser context's cookies).
    const me = await context.request.get(`${gatewayUrl}/api/auth/me`);
    expect({ status: me.status(), body: await me.json() }).toEqual({
      status: 200,
      body: {
        user: {
          sub: expect.any(String),
          username: 'alice',
          email: 'alice@example.test',
          name: 'Alice Liddell',
          roles: expect.arrayContaining(['user']),
        },
      },
    });

    await page.click('#logout');
    await page.locator('#signed-out').waitFor();
    const after = await context.request.get(`${gatewayUrl}/api/auth/me`);
    expect({ status: after.status(), body: await after.json() }).toEqual({
      status: 401,
      body: { error: 'unauthenticated', message: 'Authentication is required' },
    });

    // Discovery, keys, the code exchange and Keycloak's back-channel logout, all at the back-channel address.
    const backChannel = keycloak.url;
    expect(calls).toEqual(
      expect.arrayContaining([
        { url: `${backChannel}/realms/demo/.well-known/openid-configuration`, status: 200 },
        { url: `${backChannel}/realms/demo/protocol/openid-connect/certs`, status: 200 },
        { url: `${backChannel}/realms/demo/protocol/openid-connect/token`, status: 200 },
        { url: `${backChannel}/realms/demo/protocol/openid-connect/logout`, status: 204 },
      ]),
    );
    expect(calls.filter((call) => !call.url.startsWith(`${backChannel}/`))).toEqual([]);
    await page.close();
  }, 60_000);
});

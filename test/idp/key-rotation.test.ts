import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Browser } from '../support/browser.js';
import { atGateway, signInFrom } from '../support/code-flow-login.js';
import { keyRotationScenarios } from '../support/key-rotation-scenarios.js';
import { listen, type Listening } from '../support/listen.js';
import { embeddedRotatingRealm, type RotatingRealm } from '../support/rotating-realm.js';

// The realm's signing keys rotate under running gateways: the embedded IdP here, a real Keycloak in
// test/keycloak/key-rotation.test.ts, the same tests on both.
describe('key rotation on the embedded IdP', () => {
  keyRotationScenarios(embeddedRotatingRealm);
});

// The code flow needs the provider's login page in a browser: the embedded IdP's is a plain form.
describe('key rotation on the embedded IdP, code flow', () => {
  let realm: RotatingRealm;
  let server: Listening;
  beforeAll(async () => {
    realm = await embeddedRotatingRealm();
    server = await listen(realm.gateway({ mode: 'session' }).app);
  });
  afterAll(async () => {
    await server.close();
    await realm.close();
  });

  async function codeFlowLogin(): Promise<{ browser: Browser; callback: Response }> {
    const browser = new Browser();
    const start = await browser.go(atGateway(server.url)('/api/auth/login?return_to=/app'));
    const callbackUrl = await signInFrom(browser, start, realm.url);
    return { browser, callback: await browser.go(atGateway(server.url)(callbackUrl)) };
  }

  it('a callback right after the realm gets a new signing key logs the user in: 302 to return_to, and the session knows who', async () => {
    expect((await codeFlowLogin()).callback.status).toBe(302);
    await realm.rotate();
    const { browser, callback } = await codeFlowLogin();
    expect({ status: callback.status, location: callback.headers.get('location') }).toEqual({
      status: 302,
      location: '/app',
    });
    const me = await browser.go(atGateway(server.url)('/api/auth/me'));
    expect({ status: me.status, body: await me.json() }).toEqual({
      status: 200,
      body: { user: expect.objectContaining({ username: 'alice' }) },
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DevIdp } from '../../src/dev-idp/index.js';
import { Browser } from '../support/browser.js';
import { atGateway as gatewayAddress, REDIRECT_URI, signInFrom } from '../support/code-flow-login.js';
import { buildTestGateway, type TestGateway } from '../support/gateway.js';
import { startTestIdp } from '../support/idp.js';
import { listen, type Listening } from '../support/listen.js';

let idp: DevIdp;
let gateway: TestGateway;
let server: Listening;
let atGateway: (url: string | URL) => URL;
beforeAll(async () => {
  idp = await startTestIdp();
  gateway = buildTestGateway({ idpUrl: idp.url, mode: 'session' });
  server = await listen(gateway.app);
  atGateway = gatewayAddress(server.url);
});
afterAll(async () => {
  await server.close();
  await idp.close();
});

/** Starts the login at the gateway and signs in on the IdP's page; returns the callback the IdP sends the browser to. */
async function signInAtProvider(browser: Browser, returnTo?: string, username = 'alice'): Promise<URL> {
  const start = await browser.go(
    atGateway(`/api/auth/login${returnTo === undefined ? '' : `?return_to=${encodeURIComponent(returnTo)}`}`),
  );
  expect(start.status).toBe(302);
  return signInFrom(browser, start, idp.url, username);
}

/** The JSON body, or the text when it is not JSON (a redirect's), so that a failing assertion shows what came instead. */
async function bodyOf(res: Response): Promise<unknown> {
  const text = await res.text();
  return res.headers.get('content-type')?.startsWith('application/json') ? (JSON.parse(text) as unknown) : text;
}

describe('the authorization code flow through the gateway', () => {
  it('redirects to the provider with PKCE S256, state and nonce, and sets a short-lived Lax login cookie', async () => {
    const browser = new Browser();
    const res = await browser.go(atGateway('/api/auth/login?return_to=/app'));
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(`${idp.issuer}/protocol/openid-connect/auth`);
    expect(Object.fromEntries(location.searchParams)).toEqual({
      client_id: 'authgate',
      redirect_uri: REDIRECT_URI,
      response_type: 'code',
      scope: 'openid',
      state: expect.stringMatching(/^[\w-]{43}$/),
      nonce: expect.stringMatching(/^[\w-]{43}$/),
      code_challenge: expect.stringMatching(/^[\w-]{43}$/),
      code_challenge_method: 'S256',
    });
    expect(res.headers.getSetCookie()).toEqual([
      expect.stringMatching(
        new RegExp(
          `^authgate\\.login=${location.searchParams.get('state')}; Max-Age=600; Path=/; Expires=[^;]+; HttpOnly; SameSite=Lax$`,
        ),
      ),
    ]);
  });

  it('logs the user in end to end: provider page, callback, session cookie, back to return_to', async () => {
    const browser = new Browser();
    const callback = await signInAtProvider(browser, '/app/page?tab=2#top');
    idp.clearSeen();
    const res = await browser.go(atGateway(callback));
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/app/page?tab=2#top');
    expect(res.headers.getSetCookie()).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^authgate\.login=; Path=\/; Expires=Thu, 01 Jan 1970/),
        expect.stringMatching(/^authgate\.sid=s%3A.+; Path=\/; HttpOnly; SameSite=Strict$/),
      ]),
    );
    expect(idp.seen).toEqual([
      expect.objectContaining({ endpoint: 'token', grantType: 'authorization_code', status: 200 }),
    ]);
    const me = await browser.go(atGateway('/api/auth/me'));
    expect({ status: me.status, body: await me.json() }).toEqual({
      status: 200,
      body: { user: expect.objectContaining({ username: 'alice', email: 'alice@example.test' }) },
    });
  });

  it('answers 400 when the provider sends back an error instead of a code', async () => {
    const browser = new Browser();
    const start = await browser.go(atGateway('/api/auth/login'));
    const state = new URL(start.headers.get('location') ?? '').searchParams.get('state') ?? '';
    const res = await browser.go(atGateway(`/api/auth/callback?error=access_denied&state=${state}`));
    expect({ status: res.status, body: await res.json() }).toEqual({
      status: 400,
      body: { error: 'invalid_request', message: 'The identity provider did not complete the login' },
    });
  });

  it.each([
    '/.//evil.example',
    '/%2e//evil.example',
    '/%2E%2E//evil.example',
    '/.%2e//evil.example/x?y=1',
    '/app/..//evil.example',
    '/%2e%2e/%2e//evil.example',
    '/%2fevil.example',
    '/%5Cevil.example',
    '/app/..%2f/evil.example',
  ])(
    'refuses return_to=%j, which normalises into an off-site or encoded-separator path, before the browser leaves for the provider',
    async (returnTo) => {
      idp.clearSeen();
      const res = await new Browser().go(atGateway(`/api/auth/login?return_to=${encodeURIComponent(returnTo)}`));
      expect({
        status: res.status,
        location: res.headers.get('location'),
        cookies: res.headers.getSetCookie(),
        body: await bodyOf(res),
      }).toEqual({
        status: 400,
        location: null,
        cookies: [],
        body: {
          error: 'invalid_request',
          message: 'return_to must be a path on this site, such as /app',
          details: [
            {
              field: 'return_to',
              problem: 'must be a path on this site once . and .. are resolved, with no encoded / or \\',
            },
          ],
        },
      });
      expect(idp.seen).toEqual([]);
    },
  );

  it('logs in end to end with a return_to full of dot segments and lands on the normalised path on this site', async () => {
    const browser = new Browser();
    const callback = await signInAtProvider(browser, '/app/./x/%2e%2e/page?next=//evil.example#//evil.example');
    const res = await browser.go(atGateway(callback));
    const location = res.headers.get('location') ?? '';
    expect({ status: res.status, location, origin: new URL(location, REDIRECT_URI).origin }).toEqual({
      status: 302,
      location: '/app/page?next=//evil.example#//evil.example',
      origin: 'http://localhost:3000',
    });
  });

  it('sends the browser to / when a pending login holds an off-site return_to (one stored before the check covered normalisation)', async () => {
    const browser = new Browser();
    const callback = await signInAtProvider(browser, '/app');
    const key = `login:${callback.searchParams.get('state') ?? ''}`;
    const pending = JSON.parse(gateway.codec.open((await gateway.stores.shared.get(key)) ?? '')) as Record<
      string,
      unknown
    >;
    await gateway.stores.shared.set(
      key,
      gateway.codec.seal('login', JSON.stringify({ ...pending, returnTo: '//evil.example' })),
      60_000,
    );
    const res = await browser.go(atGateway(callback));
    expect({ status: res.status, location: res.headers.get('location') }).toEqual({ status: 302, location: '/' });
    expect((await (await browser.go(atGateway('/api/auth/session'))).json()) as unknown).toEqual(
      expect.objectContaining({ authenticated: true }),
    );
  });

  it.each(['//evil.example/x', 'https://evil.example/', '/\\evil.example', 'app', '/a\nb', 'javascript:alert(1)'])(
    'refuses return_to=%j: only a path on this site',
    async (returnTo) => {
      const res = await new Browser().go(atGateway(`/api/auth/login?return_to=${encodeURIComponent(returnTo)}`));
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        error: 'invalid_request',
        message: 'return_to must be a path on this site, such as /app',
        details: [{ field: 'return_to', problem: expect.any(String) }],
      });
    },
  );
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { Browser } from '../support/browser.js';
import {
  client,
  exchange,
  introspect,
  login,
  oauthError,
  post,
  refresh,
  signIn,
  startGenericIdp,
  userinfo,
  type GenericIdp,
} from './helpers.js';

const INVALID_GRANT = oauthError(400, 'invalid_grant', 'grant request is invalid');

const revoke = (idp: GenericIdp, value: string, hint?: string) =>
  post(idp, '/token/revocation', { ...client(idp), token: value, ...(hint ? { token_type_hint: hint } : {}) });

describe.each(['opaque', 'jwt'] as const)('revocation (RFC 7009) with %s access tokens', (format) => {
  let idp: GenericIdp;
  beforeAll(async () => {
    idp = await startGenericIdp({ accessTokenFormat: format });
  });
  afterAll(() => idp.close());

  it('revokes the whole grant behind a refresh token: 200 with an empty body, and the grant refused after', async () => {
    const tokens = (await login(idp)).body!;
    const res = await revoke(idp, String(tokens.refresh_token), 'refresh_token');
    expect({ status: res.status, text: res.text }).toEqual({ status: 200, text: '' });
    const again = await refresh(idp, String(tokens.refresh_token));
    expect({ status: again.status, body: again.body }).toEqual(INVALID_GRANT);
    expect(await idp.sessionActive(String(tokens.refresh_token))).toBe(false);
    if (format === 'opaque') {
      expect((await userinfo(idp, String(tokens.access_token))).status).toBe(401);
      expect((await introspect(idp, String(tokens.access_token))).body).toEqual({ active: false });
    } else {
      // Nothing can call a JWT back: it verifies against the key set until it expires.
      const jwks = createRemoteJWKSet(new URL(`${idp.issuer}/jwks`));
      const { payload } = await jwtVerify(String(tokens.access_token), jwks, { issuer: idp.issuer });
      expect(payload.exp! - payload.iat!).toBe(300);
    }
  });

  it('answers 200 to a token it does not know, and invalid_client to a bad secret', async () => {
    expect((await revoke(idp, 'never-issued')).status).toBe(200);
    const res = await post(idp, '/token/revocation', { client_id: 'authgate', client_secret: 'wrong', token: 'x' });
    expect({ status: res.status, body: res.body }).toEqual(
      oauthError(401, 'invalid_client', 'client authentication failed'),
    );
  });

  it('ends a grant behind the gateway back with endSession(), as an administrator would', async () => {
    const tokens = (await login(idp)).body!;
    const rotated = (await refresh(idp, String(tokens.refresh_token))).body!;
    await idp.endSession(String(tokens.refresh_token));
    expect(await idp.sessionActive(String(rotated.refresh_token))).toBe(false);
    const res = await refresh(idp, String(rotated.refresh_token));
    expect({ status: res.status, body: res.body }).toEqual(INVALID_GRANT);
  });
});

describe('revoking an opaque access token alone', () => {
  it('ends that token and leaves its grant: the refresh token still refreshes', async () => {
    const idp = await startGenericIdp({ accessTokenFormat: 'opaque' });
    try {
      const tokens = (await login(idp)).body!;
      expect((await revoke(idp, String(tokens.access_token), 'access_token')).status).toBe(200);
      expect((await userinfo(idp, String(tokens.access_token))).status).toBe(401);
      expect((await refresh(idp, String(tokens.refresh_token))).status).toBe(200);
    } finally {
      await idp.close();
    }
  });
});

describe('RP-initiated logout (end_session)', () => {
  let idp: GenericIdp;
  beforeAll(async () => {
    idp = await startGenericIdp({ accessTokenFormat: 'opaque' });
  });
  afterAll(() => idp.close());

  /** Follows end_session as a browser does: the page submits its form by itself, the provider redirects. */
  async function endSession(browser: Browser, idToken: string): Promise<Response> {
    const url = new URL(`${idp.issuer}/session/end`);
    url.search = new URLSearchParams({
      id_token_hint: idToken,
      post_logout_redirect_uri: 'http://localhost:3000/',
      state: 'bye',
    }).toString();
    const page = await (await browser.go(url)).text();
    const action = /action="([^"]+)"/.exec(page)?.[1] ?? '';
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
    return browser.go(action, { form: { xsrf, logout: 'yes' } });
  }

  it("ends the browser's session and the grant of its code flow, and sends it to a registered address", async () => {
    const flow = await signIn(idp);
    const tokens = (await exchange(idp, flow)).body!;
    const res = await endSession(flow.browser, String(tokens.id_token));
    expect({ status: res.status, location: res.headers.get('location') }).toEqual({
      status: 303,
      location: 'http://localhost:3000/?state=bye',
    });
    const again = await refresh(idp, String(tokens.refresh_token));
    expect({ status: again.status, body: again.body }).toEqual(INVALID_GRANT);
    expect((await userinfo(idp, String(tokens.access_token))).status).toBe(401);
  });

  it('changes nothing when called without the browser session, as a gateway calling it server-side would', async () => {
    const flow = await signIn(idp);
    const tokens = (await exchange(idp, flow)).body!;
    const res = await endSession(new Browser(), String(tokens.id_token));
    expect(res.status).toBe(303);
    expect(await idp.sessionActive(String(tokens.refresh_token))).toBe(true);
    expect((await refresh(idp, String(tokens.refresh_token))).status).toBe(200);
  });

  it('refuses an unregistered post-logout address with 400 invalid_request', async () => {
    const tokens = (await login(idp)).body!;
    const url = new URL(`${idp.issuer}/session/end`);
    url.search = new URLSearchParams({
      id_token_hint: String(tokens.id_token),
      post_logout_redirect_uri: 'https://evil.example/',
    }).toString();
    const res = await new Browser().go(url);
    expect({ status: res.status, body: await res.json() }).toEqual(
      oauthError(400, 'invalid_request', 'post_logout_redirect_uri not registered'),
    );
  });

  it('records the end_session requests without the ID token or the xsrf value', async () => {
    const flow = await signIn(idp);
    const tokens = (await exchange(idp, flow)).body!;
    idp.clearSeen();
    await endSession(flow.browser, String(tokens.id_token));
    expect(idp.seen).toEqual([
      {
        method: 'GET',
        endpoint: 'end_session',
        clientId: 'authgate',
        params: { post_logout_redirect_uri: 'http://localhost:3000/', state: 'bye' },
        withheld: ['id_token_hint'],
        status: 200,
      },
      {
        method: 'POST',
        endpoint: 'end_session',
        clientId: 'authgate',
        params: { logout: 'yes' },
        withheld: ['xsrf'],
        status: 303,
      },
    ]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import { Browser } from '../support/browser.js';
import { exchange, oauthError, REDIRECT_URI, refresh, signIn, startGenericIdp, type GenericIdp } from './helpers.js';

describe.each(['opaque', 'jwt'] as const)('the code flow with %s access tokens', (format) => {
  let idp: GenericIdp;
  beforeAll(async () => {
    idp = await startGenericIdp({ accessTokenFormat: format });
  });
  afterAll(() => idp.close());

  it('signs a user in on its own page and sends the browser back with a code, the state and its issuer', async () => {
    const { callback } = await signIn(idp);
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
    expect(Object.fromEntries(callback.searchParams)).toEqual({
      code: expect.any(String),
      state: 'state-1',
      iss: idp.issuer,
    });
  });

  it('exchanges the code with its PKCE verifier for tokens that refresh', async () => {
    const flow = await signIn(idp);
    const res = await exchange(idp, flow);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      access_token: expect.any(String),
      expires_in: 300,
      id_token: expect.any(String),
      refresh_token: expect.any(String),
      scope: 'openid profile email',
      token_type: 'Bearer',
    });
    expect(decodeJwt(String(res.body!.id_token))).toMatchObject({
      preferred_username: 'alice',
      roles: ['user', 'offline_access'],
    });
    if (format === 'jwt') {
      expect(decodeJwt(String(res.body!.access_token))).toMatchObject({
        aud: idp.resource,
        roles: ['user', 'offline_access'],
      });
    }
    expect((await refresh(idp, String(res.body!.refresh_token))).status).toBe(200);
  });

  it('refuses a wrong PKCE verifier without burning the code, and a code used a second time, revoking its grant', async () => {
    const flow = await signIn(idp);
    const refused = oauthError(400, 'invalid_grant', 'grant request is invalid');
    const wrong = await exchange(idp, flow, 'not-the-verifier-not-the-verifier-not-the-verifier');
    expect({ status: wrong.status, body: wrong.body }).toEqual(refused);
    const tokens = await exchange(idp, flow);
    expect(tokens.status).toBe(200);
    const again = await exchange(idp, flow);
    expect({ status: again.status, body: again.body }).toEqual(refused);
    // A replayed code revokes what the first exchange was given.
    const refreshed = await refresh(idp, String(tokens.body!.refresh_token));
    expect({ status: refreshed.status, body: refreshed.body }).toEqual(refused);
  });

  it('requires PKCE: an authorization request without a challenge goes back to the client as invalid_request', async () => {
    const url = new URL(`${idp.issuer}/auth`);
    url.search = new URLSearchParams({
      client_id: idp.clientId,
      redirect_uri: REDIRECT_URI,
      response_type: 'code',
      scope: 'openid',
      state: 's',
    }).toString();
    const res = await new Browser().go(url);
    expect(res.status).toBe(303);
    const back = new URL(res.headers.get('location') ?? '');
    expect(Object.fromEntries(back.searchParams)).toEqual({
      error: 'invalid_request',
      error_description: 'Authorization Server policy requires PKCE to be used for this request',
      state: 's',
      iss: idp.issuer,
    });
  });
});

describe('the sign-in page', () => {
  let idp: GenericIdp;
  beforeAll(async () => {
    idp = await startGenericIdp({ accessTokenFormat: 'opaque' });
  });
  afterAll(() => idp.close());

  async function attempt(username: string, password: string): Promise<{ status: number; alert: string | undefined }> {
    const browser = new Browser();
    const url = new URL(`${idp.issuer}/auth`);
    url.search = new URLSearchParams({
      client_id: idp.clientId,
      redirect_uri: REDIRECT_URI,
      response_type: 'code',
      scope: 'openid',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    }).toString();
    const start = await browser.go(url);
    const page = new URL(start.headers.get('location') ?? '', idp.url);
    expect((await browser.go(page)).status).toBe(200);
    const res = await browser.go(page, { form: { username, password } });
    return { status: res.status, alert: /<p role="alert">([^<]*)<\/p>/.exec(await res.text())?.[1] };
  }

  it('says a wrong password and an unknown user alike, and a blocked account as such', async () => {
    expect(await attempt('alice', 'wrong')).toEqual({ status: 200, alert: 'Wrong username or password.' });
    expect(await attempt('nobody', 'nobody-password')).toEqual({ status: 200, alert: 'Wrong username or password.' });
    expect(await attempt('bob', 'bob-password')).toEqual({ status: 200, alert: 'This account has been blocked.' });
  });

  it('accepts the email address as the username', async () => {
    expect(await attempt('alice@example.test', 'alice-password')).toEqual({ status: 303, alert: undefined });
  });
});

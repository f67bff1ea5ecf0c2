import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DevIdp } from '../../src/dev-idp/index.js';
import { Browser as SharedBrowser } from '../support/browser.js';
import { admin, newUser, serviceToken } from './admin-helpers.js';
import { CLIENT, claims, OIDC, oauthError, refresh, startTestIdp, token } from './helpers.js';

const REDIRECT = 'http://localhost:3000/api/auth/callback';

let idp: DevIdp;
beforeAll(async () => {
  idp = await startTestIdp();
});
afterAll(async () => {
  await idp.close();
});

/** The shared test browser, with the IdP's relative redirects resolved against the IdP. */
class Browser {
  private readonly inner = new SharedBrowser();

  go(url: string, form?: Record<string, string>): Promise<Response> {
    return this.inner.go(new URL(url, idp.url), form ? { form } : {});
  }
}

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

async function startLogin(browser: Browser, challenge: string): Promise<string> {
  const params = new URLSearchParams({
    client_id: 'authgate',
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: 'openid',
    state: 'st',
    nonce: 'nn',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  const res = await browser.go(`${idp.issuer}${OIDC}/auth?${params.toString()}`);
  expect(res.status).toBe(303);
  return res.headers.get('location') ?? '';
}

async function finishLogin(browser: Browser, loginPage: string, username: string, password: string): Promise<URL> {
  let res = await browser.go(loginPage, { username, password });
  let location = res.headers.get('location') ?? '';
  while (!location.startsWith(REDIRECT)) {
    res = await browser.go(location);
    location = res.headers.get('location') ?? '';
  }
  return new URL(location);
}

describe('the authorization code flow', () => {
  it("logs a user in on the IdP's page and exchanges the code for the same kind of tokens as a password login", async () => {
    const browser = new Browser();
    const { verifier, challenge } = pkce();
    const loginPage = await startLogin(browser, challenge);
    expect(loginPage).toMatch(/^\/realms\/demo\/login-actions\/[\w-]+$/);
    expect(await (await browser.go(loginPage)).text()).toContain('Development identity provider: not for production.');
    expect(await (await browser.go(loginPage, { username: 'alice', password: 'nope' })).text()).toContain(
      'Invalid username or password.',
    );
    expect(await (await browser.go(loginPage, { username: 'bob', password: 'bob-password' })).text()).toContain(
      'Account is disabled, contact your administrator.',
    );

    const callback = await finishLogin(browser, loginPage, 'alice', 'alice-password');
    expect({ state: callback.searchParams.get('state'), iss: callback.searchParams.get('iss') }).toEqual({
      state: 'st',
      iss: idp.issuer,
    });
    const code = callback.searchParams.get('code') ?? '';
    const res = await token(idp, {
      grant_type: 'authorization_code',
      ...CLIENT,
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(
      expect.objectContaining({
        token_type: 'Bearer',
        scope: 'openid profile email',
        id_token: expect.any(String),
        refresh_token: expect.any(String),
      }),
    );
    // A browser login's ID token says when the user logged in (a password grant's does not).
    const idToken = claims(res.body?.id_token);
    expect(idToken).toMatchObject({
      nonce: 'nn',
      aud: 'authgate',
      preferred_username: 'alice',
      auth_time: expect.any(Number),
    });
    expect(claims((await refresh(idp, res.body?.refresh_token)).body?.id_token).auth_time).toBe(idToken.auth_time);
    expect(claims(res.body?.access_token)).toMatchObject({
      azp: 'authgate',
      sid: res.body?.session_state,
      preferred_username: 'alice',
    });

    const again = await token(idp, {
      grant_type: 'authorization_code',
      ...CLIENT,
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
    });
    expect({ status: again.status, body: again.body }).toEqual({
      status: 400,
      body: oauthError('invalid_grant', 'Code not valid'),
    });
  });

  it('refuses a code with the wrong redirect_uri or PKCE verifier, and burns it either way', async () => {
    for (const [form, description] of [
      [{ redirect_uri: 'http://localhost:3000/elsewhere' }, 'Incorrect redirect_uri'],
      [{ redirect_uri: REDIRECT, code_verifier: pkce().verifier }, 'PKCE verification failed: Code mismatch'],
    ] as const) {
      const browser = new Browser();
      const { verifier, challenge } = pkce();
      const code =
        (await finishLogin(browser, await startLogin(browser, challenge), 'alice', 'alice-password')).searchParams.get(
          'code',
        ) ?? '';
      const res = await token(idp, {
        grant_type: 'authorization_code',
        ...CLIENT,
        code,
        code_verifier: verifier,
        ...form,
      });
      expect({ status: res.status, body: res.body }).toEqual({
        status: 400,
        body: oauthError('invalid_grant', description),
      });
      const retry = await token(idp, {
        grant_type: 'authorization_code',
        ...CLIENT,
        code,
        redirect_uri: REDIRECT,
        code_verifier: verifier,
      });
      expect(retry.body).toEqual(oauthError('invalid_grant', 'Code not valid'));
    }
  });

  it("logs in a user created through the Admin API a moment ago, on the IdP's page", async () => {
    const created = await admin(idp, 'POST', '/users', {
      bearer: await serviceToken(idp),
      body: newUser('paula', 'paula-pass1'),
    });
    expect(created.status).toBe(201);
    const browser = new Browser();
    const { verifier, challenge } = pkce();
    const callback = await finishLogin(browser, await startLogin(browser, challenge), 'paula', 'paula-pass1');
    const res = await token(idp, {
      grant_type: 'authorization_code',
      ...CLIENT,
      code: callback.searchParams.get('code') ?? '',
      redirect_uri: REDIRECT,
      code_verifier: verifier,
    });
    expect(claims(res.body?.id_token)).toMatchObject({
      sub: created.headers.location?.split('/').pop(),
      preferred_username: 'paula',
    });
  });
});

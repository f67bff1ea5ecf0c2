import { createHash, randomBytes } from 'node:crypto';
import { Browser } from '../support/browser.js';
import { REDIRECT_URI, signInFrom } from '../support/code-flow-login.js';
import type { GenericIdp } from '../support/generic-idp/index.js';
import { readReply, type Reply } from '../support/http-bodies.js';

export { startGenericIdp, type GenericIdp } from '../support/generic-idp/index.js';
export { REDIRECT_URI } from '../support/code-flow-login.js';
export type { Reply } from '../support/http-bodies.js';

export const client = (idp: GenericIdp) => ({ client_id: idp.clientId, client_secret: idp.clientSecret });

export async function post(idp: GenericIdp, path: string, form: Record<string, string>): Promise<Reply> {
  return readReply(await fetch(`${idp.issuer}${path}`, { method: 'POST', body: new URLSearchParams(form) }));
}

export const token = (idp: GenericIdp, form: Record<string, string>) =>
  post(idp, '/token', { ...client(idp), ...form });

export const login = (idp: GenericIdp, username = 'alice', extra: Record<string, string> = {}) =>
  token(idp, { grant_type: 'password', username, password: `${username}-password`, scope: 'openid', ...extra });

export const refresh = (idp: GenericIdp, refreshToken: string) =>
  token(idp, { grant_type: 'refresh_token', refresh_token: refreshToken });

export async function userinfo(idp: GenericIdp, accessToken: string): Promise<Reply> {
  return readReply(await fetch(`${idp.issuer}/me`, { headers: { authorization: `Bearer ${accessToken}` } }));
}

export const introspect = (idp: GenericIdp, value: string) =>
  post(idp, '/token/introspection', { ...client(idp), token: value });

/** The body and status of an OAuth error answer. */
export const oauthError = (status: number, error: string, description: string) => ({
  status,
  body: { error, error_description: description },
});

export interface CodeFlow {
  readonly browser: Browser;
  readonly callback: URL;
  readonly verifier: string;
}

/** A browser's authorization request with PKCE S256, signed in on the provider's page; answers the callback URL. */
export async function signIn(idp: GenericIdp, username = 'alice', scope = 'openid profile email'): Promise<CodeFlow> {
  const browser = new Browser();
  const verifier = randomBytes(32).toString('base64url');
  const authorize = new URL(`${idp.issuer}/auth`);
  authorize.search = new URLSearchParams({
    client_id: idp.clientId,
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    scope,
    state: 'state-1',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  const start = new Response(null, { status: 302, headers: { location: authorize.href } });
  const callback = await signInFrom(browser, start, idp.url, username);
  return { browser, callback, verifier };
}

/** The code of a signed-in code flow, exchanged at the token endpoint. */
export const exchange = (idp: GenericIdp, flow: CodeFlow, verifier = flow.verifier) =>
  token(idp, {
    grant_type: 'authorization_code',
    code: flow.callback.searchParams.get('code') ?? '',
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
  });

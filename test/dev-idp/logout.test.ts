import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DevIdp } from '../../src/dev-idp/index.js';
import {
  CLIENT,
  login,
  logout,
  OIDC,
  oauthError,
  refresh,
  startTestIdp,
  MovableClock,
  token,
  withOtherClient,
} from './helpers.js';

let idp: DevIdp;
let clock: MovableClock;
beforeAll(async () => {
  clock = new MovableClock();
  idp = await startTestIdp({ now: clock.now, realm: withOtherClient });
});
afterAll(async () => {
  await idp.close();
});

const answer = (res: { status: number; text: string }) => ({ status: res.status, text: res.text });

describe('the back-channel logout', () => {
  it('answers 204 with an empty body and ends the whole user session', async () => {
    const first = await login(idp, 'alice', 'alice-password');
    const rotated = await refresh(idp, first.body?.refresh_token);
    expect(answer(await logout(idp, first.body?.refresh_token))).toEqual({ status: 204, text: '' });
    expect((await refresh(idp, rotated.body?.refresh_token)).body).toEqual(
      oauthError('invalid_grant', 'Session not active'),
    );
  });

  it('answers 204 again for a session already ended', async () => {
    const first = await login(idp, 'alice', 'alice-password');
    expect(answer(await logout(idp, first.body?.refresh_token))).toEqual({ status: 204, text: '' });
    expect(answer(await logout(idp, first.body?.refresh_token))).toEqual({ status: 204, text: '' });
  });

  it('accepts an expired refresh token, as Keycloak does not check expiry here', async () => {
    const first = await login(idp, 'alice', 'alice-password');
    clock.advanceSeconds(1801);
    expect(answer(await logout(idp, first.body?.refresh_token))).toEqual({ status: 204, text: '' });
  });

  it("refuses a bad refresh token and another client's, with Keycloak's exact bodies", async () => {
    const theirs = await token(idp, {
      grant_type: 'password',
      client_id: 'other',
      client_secret: 'other-secret',
      username: 'alice',
      password: 'alice-password',
    });
    expect(answer(await logout(idp, 'abc'))).toEqual({
      status: 400,
      text: '{"error":"invalid_grant","error_description":"Invalid refresh token"}',
    });
    expect((await logout(idp, theirs.body?.refresh_token)).body).toEqual(
      oauthError('invalid_grant', "Invalid refresh token. Token client and authorized client don't match"),
    );
    expect(
      (await refresh(idp, theirs.body?.refresh_token, { client_id: 'other', client_secret: 'other-secret' })).status,
    ).toBe(200);
  });

  it('authenticates the client first, like the token endpoint', async () => {
    const first = await login(idp, 'alice', 'alice-password');
    const wrong = await logout(idp, first.body?.refresh_token, { client_id: 'authgate', client_secret: 'x' });
    const unknown = await logout(idp, first.body?.refresh_token, { client_id: 'nobody' });
    expect({ status: wrong.status, body: wrong.body }).toEqual({
      status: 401,
      body: oauthError('unauthorized_client', 'Invalid client or Invalid client credentials'),
    });
    expect({ status: unknown.status, body: unknown.body }).toEqual({
      status: 401,
      body: oauthError('invalid_client', 'Invalid client or Invalid client credentials'),
    });
    expect((await refresh(idp, first.body?.refresh_token)).status).toBe(200);
  });

  it.each([
    [
      'a form without refresh_token',
      { 'content-type': 'application/x-www-form-urlencoded' },
      new URLSearchParams({ ...CLIENT }).toString(),
    ],
    [
      'a form with a wrong client secret and no refresh_token',
      { 'content-type': 'application/x-www-form-urlencoded' },
      'client_id=authgate&client_secret=x',
    ],
    ['a JSON body', { 'content-type': 'application/json' }, '{"refresh_token":"x"}'],
    ['no body', {}, undefined],
  ])("takes %s for the browser's logout, as Keycloak does: 200 and an HTML page", async (_case, headers, body) => {
    const res = await fetch(`${idp.issuer}${OIDC}/logout`, {
      method: 'POST',
      headers,
      ...(body === undefined ? {} : { body }),
    });
    expect({
      status: res.status,
      type: res.headers.get('content-type'),
      page: (await res.text()).startsWith('<!DOCTYPE html>'),
    }).toEqual({ status: 200, type: 'text/html;charset=utf-8', page: true });
  });
});

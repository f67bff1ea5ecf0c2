import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { DevIdp } from '../../src/dev-idp/index.js';
import { buildTestGateway, type TestGateway } from '../support/gateway.js';
import { startTestIdp } from '../support/idp.js';
import { MovableClock } from '../support/clock.js';
import { loginThrough, demoTokenBody } from '../support/tokens.js';

const INVALID_GRANT = { error: 'invalid_grant', message: 'Invalid refresh token' };

let idp: DevIdp;
let gateway: TestGateway;
let clock: MovableClock;

beforeAll(async () => {
  clock = new MovableClock();
  idp = await startTestIdp({
    now: () => clock.now(),
    // A second client of the same realm, to hold tokens that are not the gateway's.
    realm: (realm) => ({ ...realm, clients: [...realm.clients, { clientId: 'other-app', secret: 'other-secret', enabled: true, directAccessGrantsEnabled: true }] }),
  });
  gateway = buildTestGateway({ idpUrl: idp.url, clock });
});

afterAll(async () => {
  await idp.close();
});

const loginAlice = () => loginThrough(gateway.app);

function refresh(body: unknown) {
  return request(gateway.app).post('/api/auth/refresh-token').send(body as object);
}

describe('POST /api/auth/refresh-token', () => {
  it("answers seed 001's body with the provider's rotated refresh token", async () => {
    const tokens = await loginAlice();
    idp.clearSeen();
    const res = await refresh({ refresh_token: tokens.refresh_token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      message: 'Token refreshed successfully',
      token: demoTokenBody(),
    });
    expect(res.body.token.refresh_token).not.toBe(tokens.refresh_token);
    expect(idp.seen).toEqual([expect.objectContaining({ endpoint: 'token', grantType: 'refresh_token', status: 200 })]);
    const me = await request(gateway.app).get('/api/auth/me').set('Authorization', `Bearer ${res.body.token.access_token}`);
    expect(me.body.user.username).toBe('alice');
  });

  it('accepts a form-encoded body', async () => {
    const tokens = await loginAlice();
    const res = await request(gateway.app).post('/api/auth/refresh-token').type('form').send({ refresh_token: tokens.refresh_token });
    expect(res.status).toBe(200);
  });

  it.each([[{}], [{ refresh_token: '' }], [{ refresh_token: null }], [{ refresh: 'typo' }]])(
    "without a refresh token (%j) answers seed 001's refresh_token_required body",
    async (body) => {
      const res = await refresh(body);
      expect({ status: res.status, body: res.body }).toEqual({ status: 400, body: { error: 'refresh_token_required', message: 'Refresh token is required' } });
    },
  );

  it('with no body at all answers refresh_token_required', async () => {
    const res = await request(gateway.app).post('/api/auth/refresh-token');
    expect({ status: res.status, body: res.body }).toEqual({ status: 400, body: { error: 'refresh_token_required', message: 'Refresh token is required' } });
  });

  it('a garbage refresh token is 400 invalid_grant', async () => {
    const res = await refresh({ refresh_token: 'not-a-token-at-all' });
    expect({ status: res.status, body: res.body }).toEqual({ status: 400, body: INVALID_GRANT });
    expect(idp.seen.at(-1)).toMatchObject({ errorDescription: 'Invalid refresh token' });
  });

  it('an access token sent as the refresh token is 400 invalid_grant', async () => {
    const tokens = await loginAlice();
    const res = await refresh({ refresh_token: tokens.access_token });
    expect({ status: res.status, body: res.body }).toEqual({ status: 400, body: INVALID_GRANT });
  });

  it('a refresh token of another client is 400 invalid_grant', async () => {
    const direct = await fetch(`${idp.issuer}/protocol/openid-connect/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'password', client_id: 'other-app', client_secret: 'other-secret', username: 'alice', password: 'alice-password' }),
    });
    const { refresh_token } = (await direct.json()) as { refresh_token: string };
    const res = await refresh({ refresh_token });
    expect({ status: res.status, body: res.body }).toEqual({ status: 400, body: INVALID_GRANT });
    expect(idp.seen.at(-1)).toMatchObject({ errorDescription: "Invalid refresh token. Token client and authorized client don't match" });
  });

  it('a refresh token of another realm is 400 invalid_grant', async () => {
    const otherRealm = await startTestIdp({ realm: (realm) => ({ ...realm, realm: 'other' }) });
    try {
      const other = await request(buildTestGateway({ idpUrl: otherRealm.url, env: { KEYCLOAK_REALM: 'other' } }).app)
        .post('/api/auth/login')
        .send({ username: 'alice', password: 'alice-password' });
      const res = await refresh({ refresh_token: other.body.token.refresh_token });
      expect({ status: res.status, body: res.body }).toEqual({ status: 400, body: INVALID_GRANT });
    } finally {
      await otherRealm.close();
    }
  });

  it('an expired refresh token is 400 invalid_grant', async () => {
    const expiring = new MovableClock();
    const idle = await startTestIdp({ now: () => expiring.now() });
    try {
      const gw = buildTestGateway({ idpUrl: idle.url, clock: expiring });
      const login = await request(gw.app).post('/api/auth/login').send({ username: 'alice', password: 'alice-password' });
      expiring.advance(1801_000);
      const res = await request(gw.app).post('/api/auth/refresh-token').send({ refresh_token: login.body.token.refresh_token });
      expect({ status: res.status, body: res.body }).toEqual({ status: 400, body: INVALID_GRANT });
      expect(idle.seen.at(-1)).toMatchObject({ errorDescription: 'Token is not active' });
    } finally {
      await idle.close();
    }
  });

  it('a refresh token replayed after rotation is 400 invalid_grant, logged as a reuse, and ends the chain', async () => {
    const tokens = await loginAlice();
    const first = await refresh({ refresh_token: tokens.refresh_token });
    expect(first.status).toBe(200);
    const replay = await refresh({ refresh_token: tokens.refresh_token });
    expect({ status: replay.status, body: replay.body }).toEqual({ status: 400, body: INVALID_GRANT });
    expect(gateway.logs.events('auth.refresh.reuse_detected').filter((l) => l.requestId === replay.headers['x-request-id'])).toHaveLength(1);
    // Keycloak detaches the client session on reuse: the newest token of the chain dies too.
    const newest = await refresh({ refresh_token: first.body.token.refresh_token });
    expect({ status: newest.status, body: newest.body }).toEqual({ status: 400, body: INVALID_GRANT });
  });
});

describe('POST /api/auth/logout with refresh tokens that are not valid for this client', () => {
  it('a refresh token of another client is 400 invalid_grant and ends nothing', async () => {
    const direct = await fetch(`${idp.issuer}/protocol/openid-connect/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'password', client_id: 'other-app', client_secret: 'other-secret', username: 'alice', password: 'alice-password' }),
    });
    const { refresh_token } = (await direct.json()) as { refresh_token: string };
    const res = await request(gateway.app).post('/api/auth/logout').send({ refresh_token });
    expect({ status: res.status, body: res.body }).toEqual({ status: 400, body: INVALID_GRANT });
    const stillAlive = await fetch(`${idp.issuer}/protocol/openid-connect/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'refresh_token', client_id: 'other-app', client_secret: 'other-secret', refresh_token }),
    });
    expect(stillAlive.status).toBe(200);
  });

  it('a refresh token replayed after rotation still ends the session (Keycloak checks no reuse on logout)', async () => {
    const tokens = await loginAlice();
    const rotated = await refresh({ refresh_token: tokens.refresh_token });
    const res = await request(gateway.app).post('/api/auth/logout').send({ refresh_token: tokens.refresh_token });
    expect({ status: res.status, body: res.body }).toEqual({ status: 200, body: { message: 'Logged out' } });
    const after = await refresh({ refresh_token: rotated.body.token.refresh_token });
    expect({ status: after.status, body: after.body }).toEqual({ status: 400, body: INVALID_GRANT });
  });
});

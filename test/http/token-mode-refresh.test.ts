import { afterAll, beforeAll, expect, it } from '@jest/globals';
import request from 'supertest';
import { MovableClock } from '../support/clock.js';
import type { TestGateway } from '../support/gateway.js';
import {
  providerSuite,
  providerUnderTest,
  type ProviderOptions,
  type ProviderUnderTest,
} from '../support/provider-under-test.js';
import { loginThrough } from '../support/tokens.js';

// Runs on the embedded dev IdP (npm test) and on a real Keycloak (npm run test:keycloak): see provider-under-test.ts.
const describe = providerSuite('token-mode refresh');
const INVALID_GRANT = { error: 'invalid_grant', message: 'Invalid refresh token' };
// A second client of the same realm, to hold tokens that are not the gateway's.
const withOtherApp: ProviderOptions['realm'] = (realm) => ({
  ...realm,
  clients: [
    ...(realm.clients ?? []),
    { clientId: 'other-app', secret: 'other-secret', enabled: true, directAccessGrantsEnabled: true },
  ],
});

let provider: ProviderUnderTest;
let gateway: TestGateway;

beforeAll(async () => {
  provider = await providerUnderTest({ clock: new MovableClock(), realm: withOtherApp, name: 'token-refresh' });
  gateway = provider.gateway();
});

afterAll(async () => {
  await provider?.close();
});

const loginAlice = () => loginThrough(gateway.app);

function refresh(body: unknown) {
  return request(gateway.app)
    .post('/api/auth/refresh-token')
    .send(body as object);
}

async function otherAppRefreshToken(): Promise<string> {
  const direct = await fetch(provider.says.tokenEndpoint, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: 'other-app',
      client_secret: 'other-secret',
      username: 'alice',
      password: 'alice-password',
    }),
  });
  expect(direct.status).toBe(200);
  return ((await direct.json()) as { refresh_token: string }).refresh_token;
}

describe('POST /api/auth/refresh-token', () => {
  it("answers seed 001's body with the provider's rotated refresh token", async () => {
    const tokens = await loginAlice();
    provider.clearSeen();
    const res = await refresh({ refresh_token: tokens.refresh_token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      message: 'Token refreshed successfully',
      token: {
        access_token: expect.stringMatching(provider.says.accessTokenShape),
        refresh_token: expect.any(String),
        id_token: expect.stringMatching(/^eyJ/),
        expires_in: provider.countdown(300),
        ...(provider.says.refreshLifetime ? { refresh_expires_in: provider.countdown(1800) } : {}),
        token_type: 'Bearer',
        scope: expect.stringContaining('openid'),
      },
    });
    expect(res.body.token.refresh_token).not.toBe(tokens.refresh_token);
    expect(provider.seen).toEqual([
      expect.objectContaining({ endpoint: 'token', grantType: 'refresh_token', status: 200 }),
    ]);
    const me = await request(gateway.app)
      .get('/api/auth/me')
      .set('Authorization', `Bearer ${res.body.token.access_token}`);
    expect(me.body.user.username).toBe('alice');
  });

  it('accepts a form-encoded body', async () => {
    const tokens = await loginAlice();
    const res = await request(gateway.app)
      .post('/api/auth/refresh-token')
      .type('form')
      .send({ refresh_token: tokens.refresh_token });
    expect(res.status).toBe(200);
  });

  it.each([[{}], [{ refresh_token: '' }], [{ refresh_token: null }], [{ refresh: 'typo' }]])(
    "without a refresh token (%j) answers seed 001's refresh_token_required body",
    async (body) => {
      const res = await refresh(body);
      expect({ status: res.status, body: res.body }).toEqual({
        status: 400,
        body: { error: 'refresh_token_required', message: 'Refresh token is required' },
      });
    },
  );

  it('with no body at all answers refresh_token_required', async () => {
    const res = await request(gateway.app).post('/api/auth/refresh-token');
    expect({ status: res.status, body: res.body }).toEqual({
      status: 400,
      body: { error: 'refresh_token_required', message: 'Refresh token is required' },
    });
  });

  it('a garbage refresh token is 400 invalid_grant', async () => {
    const res = await refresh({ refresh_token: 'not-a-token-at-all' });
    expect({ status: res.status, body: res.body }).toEqual({ status: 400, body: INVALID_GRANT });
    expect(provider.seen.at(-1)).toMatchObject({ errorDescription: provider.says.refreshTokenTexts.unknown });
  });

  it('an access token sent as the refresh token is 400 invalid_grant', async () => {
    const tokens = await loginAlice();
    const res = await refresh({ refresh_token: tokens.access_token });
    expect({ status: res.status, body: res.body }).toEqual({ status: 400, body: INVALID_GRANT });
  });

  it('a refresh token of another client is 400 invalid_grant', async () => {
    const res = await refresh({ refresh_token: await otherAppRefreshToken() });
    expect({ status: res.status, body: res.body }).toEqual({ status: 400, body: INVALID_GRANT });
    expect(provider.seen.at(-1)).toMatchObject({
      errorDescription: provider.says.refreshTokenTexts.otherClient,
    });
  });

  it('a refresh token of another realm is 400 invalid_grant', async () => {
    const otherRealm = await providerUnderTest({ name: 'other-realm' });
    try {
      const other = await loginThrough(otherRealm.gateway().app);
      const res = await refresh({ refresh_token: other.refresh_token });
      expect({ status: res.status, body: res.body }).toEqual({ status: 400, body: INVALID_GRANT });
    } finally {
      await otherRealm.close();
    }
  });

  it('an expired refresh token is 400 invalid_grant', async () => {
    // Sessions idle for 2 s: Keycloak's own time has to pass, and a few seconds of it are affordable.
    const idle = await providerUnderTest({
      clock: new MovableClock(),
      realm: (r) => ({ ...r, ssoSessionIdleTimeout: 2 }),
      name: 'idle-sessions',
    });
    try {
      const gw = idle.gateway();
      const login = await loginThrough(gw.app);
      await idle.pass(3);
      const res = await request(gw.app).post('/api/auth/refresh-token').send({ refresh_token: login.refresh_token });
      expect({ status: res.status, body: res.body }).toEqual({ status: 400, body: INVALID_GRANT });
      expect(idle.seen.at(-1)).toMatchObject({ errorDescription: idle.says.refreshTokenTexts.inactive });
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
    // Only a provider that tells a replay from any other invalid token lets the gateway log it as one.
    expect(
      gateway.logs.events('auth.refresh.reuse_detected').filter((l) => l.requestId === replay.headers['x-request-id']),
    ).toHaveLength(provider.says.tellsReuse ? 1 : 0);
    // Keycloak detaches the client session on reuse, oidc-provider revokes the grant: the newest token dies too.
    const newest = await refresh({ refresh_token: first.body.token.refresh_token });
    expect({ status: newest.status, body: newest.body }).toEqual({ status: 400, body: INVALID_GRANT });
  });
});

describe('POST /api/auth/logout with refresh tokens that are not valid for this client', () => {
  it('a refresh token of another client is 400 invalid_grant and ends nothing', async () => {
    const refreshToken = await otherAppRefreshToken();
    const res = await request(gateway.app).post('/api/auth/logout').send({ refresh_token: refreshToken });
    expect({ status: res.status, body: res.body }).toEqual({ status: 400, body: INVALID_GRANT });
    const stillAlive = await fetch(provider.says.tokenEndpoint, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: 'other-app',
        client_secret: 'other-secret',
        refresh_token: refreshToken,
      }),
    });
    expect(stillAlive.status).toBe(200);
  });

  it('a refresh token replayed after rotation still ends the session (Keycloak checks no reuse on logout)', async () => {
    const tokens = await loginAlice();
    const rotated = await refresh({ refresh_token: tokens.refresh_token });
    const res = await request(gateway.app).post('/api/auth/logout').send({ refresh_token: tokens.refresh_token });
    expect({ status: res.status, body: res.body }).toEqual({ status: 200, body: { message: 'Logged out' } });
    expect(await provider.sessionActive(rotated.body.token.refresh_token)).toBe(false);
    const after = await refresh({ refresh_token: rotated.body.token.refresh_token });
    expect({ status: after.status, body: after.body }).toEqual({ status: 400, body: INVALID_GRANT });
  });
});

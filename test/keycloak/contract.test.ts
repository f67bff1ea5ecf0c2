import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { buildTestGateway } from '../support/gateway.js';
import { keycloakUnderTest } from './tier.js';

/*
 * The contract suite against a real Keycloak with the demo realm imported: npm run test:keycloak starts one
 * (KEYCLOAK_VERSION, default the newest tested), or KEYCLOAK_URL=http://localhost:8080 npm run test:keycloak uses
 * yours (docker compose up keycloak). It asserts the same bodies as the embedded-IdP suite, so a Keycloak upgrade
 * that changes an answer shows here.
 */
const SUITE = 'the contract against a real Keycloak';
const KEYCLOAK_URL = keycloakUnderTest(SUITE);
const SECRET = process.env.KEYCLOAK_CLIENT_SECRET ?? 'authgate-dev-secret';

const suite = KEYCLOAK_URL ? describe : describe.skip;

suite(`${SUITE} at ${KEYCLOAK_URL ?? '(none)'}`, () => {
  const { app } = buildTestGateway({
    idpUrl: KEYCLOAK_URL ?? '',
    env: { KEYCLOAK_CLIENT_SECRET: SECRET, IDP_TIMEOUT_MS: '10000' },
  });
  const login = (username: string, password: string) =>
    request(app).post('/api/auth/login').send({ username, password });

  it('readyz answers 200 once discovery and the key set answer', async () => {
    expect((await request(app).get('/readyz')).body).toEqual({ status: 'ready', checks: { idp: 'ok' } });
  });

  it('alice logs in, is recognised, refreshes, logs out, and her tokens are refused afterwards', async () => {
    const res = await login('alice', 'alice-password');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      message: 'Login successful',
      token: expect.objectContaining({
        access_token: expect.any(String),
        refresh_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: expect.any(Number),
      }),
      user: {
        sub: expect.any(String),
        username: 'alice',
        email: 'alice@example.test',
        name: 'Alice Liddell',
        roles: expect.arrayContaining(['user']),
      },
    });
    // The realm's 300 s. Keycloak counts expires_in down from the token's exp when it answers, so a second that
    // ticks over between minting and answering makes it 299 (seen on 26.7.3); the embedded IdP always says 300.
    expect([299, 300]).toContain(res.body.token.expires_in);
    const me = await request(app).get('/api/auth/me').set('Authorization', `Bearer ${res.body.token.access_token}`);
    expect(me.body.user.username).toBe('alice');

    const refreshed = await request(app)
      .post('/api/auth/refresh-token')
      .send({ refresh_token: res.body.token.refresh_token });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.message).toBe('Token refreshed successfully');

    const out = await request(app)
      .post('/api/auth/logout')
      .set('Authorization', `Bearer ${refreshed.body.token.access_token}`)
      .send({ refresh_token: refreshed.body.token.refresh_token });
    expect(out.body).toEqual({ message: 'Logged out' });
    const after = await request(app)
      .get('/api/auth/me')
      .set('Authorization', `Bearer ${refreshed.body.token.access_token}`);
    expect(after.body).toEqual({ error: 'token_revoked', message: 'The access token has been revoked' });
    const again = await request(app)
      .post('/api/auth/refresh-token')
      .send({ refresh_token: refreshed.body.token.refresh_token });
    expect({ status: again.status, body: again.body }).toEqual({
      status: 400,
      body: { error: 'invalid_grant', message: 'Invalid refresh token' },
    });
  });

  it('a wrong password and an unknown user are the same 401 invalid_credentials, whatever status Keycloak uses', async () => {
    const wrong = await login('alice', 'nope');
    const unknown = await login('nobody-here', 'nope');
    expect({ status: wrong.status, body: wrong.body }).toEqual({
      status: 401,
      body: { error: 'invalid_credentials', message: 'Invalid username or password' },
    });
    expect(unknown.text).toBe(wrong.text);
  });

  it('bob (disabled) is 403 account_disabled and carol (UPDATE_PASSWORD) is 403 account_not_ready', async () => {
    expect((await login('bob', 'bob-password')).body.error).toBe('account_disabled');
    expect((await login('carol', 'carol-password')).body.error).toBe('account_not_ready');
  });

  it('a garbage refresh token is 400 invalid_grant', async () => {
    const res = await request(app).post('/api/auth/refresh-token').send({ refresh_token: 'garbage' });
    expect({ status: res.status, body: res.body }).toEqual({
      status: 400,
      body: { error: 'invalid_grant', message: 'Invalid refresh token' },
    });
  });

  it('a replayed refresh token is refused and kills the chain (revokeRefreshToken in the demo realm)', async () => {
    const res = await login('alice', 'alice-password');
    const first = await request(app)
      .post('/api/auth/refresh-token')
      .send({ refresh_token: res.body.token.refresh_token });
    const replay = await request(app)
      .post('/api/auth/refresh-token')
      .send({ refresh_token: res.body.token.refresh_token });
    expect(replay.body).toEqual({ error: 'invalid_grant', message: 'Invalid refresh token' });
    const newest = await request(app)
      .post('/api/auth/refresh-token')
      .send({ refresh_token: first.body.token.refresh_token });
    expect(newest.body.error).toBe('invalid_grant');
  });

  it('a wrong client secret is 502 unauthorized_client', async () => {
    const { app: misconfigured } = buildTestGateway({
      idpUrl: KEYCLOAK_URL ?? '',
      env: { KEYCLOAK_CLIENT_SECRET: 'wrong-secret' },
    });
    const res = await request(misconfigured)
      .post('/api/auth/login')
      .send({ username: 'alice', password: 'alice-password' });
    expect({ status: res.status, error: res.body.error }).toEqual({ status: 502, error: 'unauthorized_client' });
  });
});

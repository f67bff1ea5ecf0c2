import { afterAll, beforeAll, expect, it } from '@jest/globals';
import request from 'supertest';
import { MovableClock } from '../support/clock.js';
import { providerSuite, providerUnderTest, type ProviderUnderTest } from '../support/provider-under-test.js';

// Runs on the embedded dev IdP (npm test) and on a real Keycloak (npm run test:keycloak): see provider-under-test.ts.
const describe = providerSuite('session mode');

let provider: ProviderUnderTest;
beforeAll(async () => {
  provider = await providerUnderTest({ name: 'session-mode' });
});
afterAll(async () => {
  await provider?.close();
});

/** The refresh token the provider gave the gateway for the newest login (the client never sees it). */
function lastRefreshToken(): string {
  const token = provider.refreshTokens.at(-1);
  if (!token) throw new Error('the gateway got no refresh token yet');
  return token;
}

const CSRF = { 'X-CSRF': '1' };
const ALICE = {
  sub: expect.any(String),
  username: 'alice',
  email: 'alice@example.test',
  name: 'Alice Liddell',
  roles: expect.arrayContaining(['user']),
};
const JWT = /eyJ[\w-]+\.[\w-]+\./;

function sessionGateway(env: Record<string, string> = {}, clock = new MovableClock()) {
  return provider.gateway({ mode: 'session', env, clock });
}

async function loginAs(app: Parameters<typeof request.agent>[0], username = 'alice') {
  const agent = request.agent(app);
  const res = await agent
    .post('/api/auth/login')
    .set(CSRF)
    .send({ username, password: `${username}-password` });
  expect(res.status).toBe(200);
  return { agent, res, cookie: (res.headers['set-cookie'] as unknown as string[])[0] ?? '' };
}

describe('session mode: password login', () => {
  it('answers with the user and the session times, sets an HttpOnly SameSite=Strict cookie, and shows no token anywhere', async () => {
    const clock = new MovableClock();
    const { app } = sessionGateway({}, clock);
    provider.clearSeen();
    const before = clock.now();
    const res = await request(app)
      .post('/api/auth/login')
      .set(CSRF)
      .send({ username: 'alice', password: 'alice-password' });
    const after = clock.now();
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      message: 'Login successful',
      user: ALICE,
      session: { expires_at: expect.any(String), access_expires_at: expect.any(String) },
    });
    // The demo realm: access tokens for 300 s, refresh tokens (so the session) for 1800 s, from some moment of the
    // login (a real Keycloak may take seconds to hash a password), less the second the provider may round off.
    const { expires_at, access_expires_at } = res.body.session as { expires_at: string; access_expires_at: string };
    expect(Date.parse(access_expires_at) - before).toBeGreaterThanOrEqual(299_000);
    expect(Date.parse(access_expires_at) - after).toBeLessThanOrEqual(300_000);
    expect(Date.parse(expires_at) - before).toBeGreaterThanOrEqual(1_799_000);
    expect(Date.parse(expires_at) - after).toBeLessThanOrEqual(1_800_000);
    expect(res.headers['set-cookie']).toEqual([
      expect.stringMatching(/^authgate\.sid=s%3A[\w%.-]+; Path=\/; HttpOnly; SameSite=Strict$/),
    ]);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(JSON.stringify(res.headers) + res.text).not.toMatch(JWT);
    // Opaque tokens look like nothing in particular: the very refresh token is looked for too.
    expect(JSON.stringify(res.headers) + res.text).not.toContain(lastRefreshToken());
    expect(provider.seen).toEqual([
      expect.objectContaining({ endpoint: 'token', grantType: 'password', status: 200 }),
      ...provider.says.userCardCalls.map((endpoint) => expect.objectContaining({ endpoint, status: 200 })),
    ]);
  });

  it('on an https PUBLIC_URL names the cookie __Host- and marks it Secure', async () => {
    const { app } = sessionGateway({ PUBLIC_URL: 'https://app.example.com', TRUST_PROXY: '1' });
    const res = await request(app)
      .post('/api/auth/login')
      .set({ ...CSRF, 'X-Forwarded-Proto': 'https', Origin: 'https://app.example.com' })
      .send({ username: 'alice', password: 'alice-password' });
    expect(res.status).toBe(200);
    expect(res.headers['set-cookie']).toEqual([
      expect.stringMatching(/^__Host-authgate\.sid=s%3A[\w%.-]+; Path=\/; HttpOnly; Secure; SameSite=Strict$/),
    ]);
  });

  it('gives a new session id at login, and the id from before the login is worth nothing', async () => {
    const { app } = sessionGateway();
    const first = await loginAs(app);
    const second = await first.agent
      .post('/api/auth/login')
      .set(CSRF)
      .send({ username: 'admin', password: 'admin-password' });
    expect(second.status).toBe(200);
    const secondCookie = (second.headers['set-cookie'] as unknown as string[])[0] ?? '';
    expect(secondCookie.split(';')[0]).not.toBe(first.cookie.split(';')[0]);
    const old = await request(app)
      .get('/api/auth/me')
      .set('Cookie', first.cookie.split(';')[0] ?? '');
    expect({ status: old.status, body: old.body }).toEqual({
      status: 401,
      body: { error: 'unauthenticated', message: 'Authentication is required' },
    });
    const me = await first.agent.get('/api/auth/me');
    expect(me.body).toEqual({ user: expect.objectContaining({ username: 'admin' }) });
  });

  it('answers a wrong password as in token mode and sets no cookie', async () => {
    const { app } = sessionGateway();
    const res = await request(app).post('/api/auth/login').set(CSRF).send({ username: 'alice', password: 'wrong' });
    expect({ status: res.status, body: res.body, cookie: res.headers['set-cookie'] }).toEqual({
      status: 401,
      body: { error: 'invalid_credentials', message: 'Invalid username or password' },
      cookie: undefined,
    });
  });
});

describe('session mode: who is logged in', () => {
  it('says authenticated:false without a session, and the user and session end with one', async () => {
    const { app } = sessionGateway();
    const anonymous = await request(app).get('/api/auth/session');
    expect({ status: anonymous.status, body: anonymous.body, cookie: anonymous.headers['set-cookie'] }).toEqual({
      status: 200,
      body: { authenticated: false },
      cookie: undefined,
    });
    const { agent, res } = await loginAs(app);
    const session = await agent.get('/api/auth/session');
    expect(session.status).toBe(200);
    expect(session.body).toEqual({
      authenticated: true,
      user: ALICE,
      expires_at: (res.body as { session: { expires_at: string } }).session.expires_at,
    });
  });

  it('answers /me with the user from the session, with no provider call while the access token is fresh', async () => {
    const { app } = sessionGateway();
    const { agent } = await loginAs(app);
    provider.clearSeen();
    const me = await agent.get('/api/auth/me');
    expect({ status: me.status, body: me.body }).toEqual({ status: 200, body: { user: ALICE } });
    expect(me.headers['cache-control']).toBe('no-store');
    expect(me.headers['set-cookie']).toBeUndefined();
    expect(provider.seen).toEqual([]);
  });

  it('answers 401 unauthenticated to /me and /refresh-token without a session, or with a cookie it never issued', async () => {
    const { app } = sessionGateway();
    for (const cookie of [undefined, 'authgate.sid=s%3Aforged.signature', 'authgate.sid=garbage']) {
      const me = request(app).get('/api/auth/me');
      const refresh = request(app).post('/api/auth/refresh-token').set(CSRF);
      if (cookie) {
        void me.set('Cookie', cookie);
        void refresh.set('Cookie', cookie);
      }
      for (const res of [await me, await refresh]) {
        expect({ status: res.status, body: res.body }).toEqual({
          status: 401,
          body: { error: 'unauthenticated', message: 'Authentication is required' },
        });
      }
    }
  });
});

describe('session mode: refresh', () => {
  it('refreshes on request with one refresh grant and answers the new session times, no token', async () => {
    const clock = new MovableClock();
    const { app } = sessionGateway({}, clock);
    const { agent } = await loginAs(app);
    clock.advanceSeconds(100);
    provider.clearSeen();
    const res = await agent.post('/api/auth/refresh-token').set(CSRF);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      message: 'Token refreshed successfully',
      session: { expires_at: expect.any(String), access_expires_at: expect.any(String) },
    });
    expect(
      Date.parse((res.body as { session: { access_expires_at: string } }).session.access_expires_at) - clock.now(),
    ).toBeGreaterThan(298_000);
    expect(res.text).not.toMatch(JWT);
    expect(provider.seen).toEqual([
      expect.objectContaining({ endpoint: 'token', grantType: 'refresh_token', status: 200 }),
    ]);
  });

  it('refreshes by itself when the access token is within the skew of expiry, once, and not before', async () => {
    const clock = new MovableClock();
    const { app } = sessionGateway({}, clock);
    const { agent } = await loginAs(app);
    provider.clearSeen();
    clock.advanceSeconds(300 - 61);
    expect((await agent.get('/api/auth/me')).status).toBe(200);
    expect(provider.seen).toEqual([]);
    clock.advanceSeconds(2);
    const results = await Promise.all(Array.from({ length: 10 }, () => agent.get('/api/auth/me')));
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(provider.seen).toEqual([
      expect.objectContaining({ endpoint: 'token', grantType: 'refresh_token', status: 200 }),
    ]);
    clock.advanceSeconds(200);
    expect((await agent.get('/api/auth/me')).status).toBe(200);
    expect(provider.seen).toHaveLength(1);
  });

  it('ends the session when the provider refuses the refresh: 401 session_expired, cookie cleared, and the session is gone', async () => {
    const clock = new MovableClock();
    const { app, logs } = sessionGateway({}, clock);
    const { agent } = await loginAs(app);
    // The provider's session ends behind the gateway's back (Keycloak: an administrator ends it).
    await provider.endSession(lastRefreshToken());
    clock.advanceSeconds(290);
    provider.clearSeen();
    const res = await agent.get('/api/auth/me');
    expect({ status: res.status, body: res.body }).toEqual({
      status: 401,
      body: { error: 'session_expired', message: 'The session has expired; please log in again' },
    });
    expect(res.headers['set-cookie']).toEqual([
      expect.stringMatching(
        /^authgate\.sid=; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Strict$/,
      ),
    ]);
    expect(provider.seen).toEqual([
      expect.objectContaining({ endpoint: 'token', grantType: 'refresh_token', status: 400, error: 'invalid_grant' }),
    ]);
    const after = await agent.get('/api/auth/session');
    expect(after.body).toEqual({ authenticated: false });
    expect(logs.events('auth.me.failed')).toEqual([
      expect.objectContaining({ error: 'session_expired', status: 401, reason: 'refresh_refused' }),
    ]);
  });

  it('keeps the session when the provider cannot be reached, answering 503, and refreshes once it is back', async () => {
    const clock = new MovableClock();
    let down = false;
    const gateway = provider.gateway({
      mode: 'session',
      clock,
      // While "down", token calls fail the way the gateway's client reports a refused connection.
      wrapFetch: (network) => (url, init) =>
        down && String(url).endsWith('/token')
          ? Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))
          : network(url, init),
    });
    const { agent } = await loginAs(gateway.app);
    clock.advanceSeconds(290);
    down = true;
    const res = await agent.get('/api/auth/me');
    expect({ status: res.status, body: res.body, retryAfter: res.headers['retry-after'] }).toEqual({
      status: 503,
      body: { error: 'idp_unavailable', message: 'The identity provider cannot be reached' },
      retryAfter: '5',
    });
    expect(res.headers['set-cookie']).toBeUndefined();
    down = false;
    expect((await agent.get('/api/auth/me')).status).toBe(200);
  });

  it('forgets the session at its absolute limit however active the user is', async () => {
    const clock = new MovableClock();
    const { app } = sessionGateway({ SESSION_MAX_AGE_SECONDS: '600' }, clock);
    const { agent, res: login } = await loginAs(app);
    expect(
      Date.parse((login.body as { session: { expires_at: string } }).session.expires_at) - clock.now(),
    ).toBeLessThanOrEqual(600_000);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      clock.advanceSeconds(250);
      statuses.push((await agent.get('/api/auth/me')).status);
    }
    expect(statuses).toEqual([200, 200, 401]);
    expect((await agent.get('/api/auth/session')).body).toEqual({ authenticated: false });
  });
});

describe('session mode: logout', () => {
  it('ends the provider session, destroys the session, clears the cookie; the old cookie is worth nothing', async () => {
    const { app } = sessionGateway();
    const { agent, cookie } = await loginAs(app);
    const refreshToken = lastRefreshToken();
    expect(await provider.sessionActive(refreshToken)).toBe(true);
    provider.clearSeen();
    const res = await agent.post('/api/auth/logout').set(CSRF);
    expect({ status: res.status, body: res.body }).toEqual({ status: 200, body: { message: 'Logged out' } });
    expect(res.headers['set-cookie']).toEqual([
      expect.stringMatching(
        /^authgate\.sid=; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Strict$/,
      ),
    ]);
    expect(provider.seen).toEqual([expect.objectContaining(provider.says.logout)]);
    expect(await provider.sessionActive(refreshToken)).toBe(false);
    const replay = await request(app)
      .get('/api/auth/me')
      .set('Cookie', cookie.split(';')[0] ?? '');
    expect(replay.status).toBe(401);
  });

  it('answers 200 with no session, and when the provider session had already ended', async () => {
    const { app } = sessionGateway();
    expect((await request(app).post('/api/auth/logout').set(CSRF)).body).toEqual({ message: 'Logged out' });
    const { agent } = await loginAs(app);
    await provider.endSession(lastRefreshToken());
    provider.clearSeen();
    const res = await agent.post('/api/auth/logout').set(CSRF);
    expect({ status: res.status, body: res.body }).toEqual({ status: 200, body: { message: 'Logged out' } });
    // Keycloak answers 204 for a refresh token whose session has already ended, RFC 7009 revocation 200; invalid_grant
    // would be accepted too.
    expect(provider.seen).toEqual([expect.objectContaining(provider.says.logout)]);
    expect((await agent.get('/api/auth/session')).body).toEqual({ authenticated: false });
  });
});

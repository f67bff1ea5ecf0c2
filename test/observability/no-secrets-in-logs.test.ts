import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { DevIdp } from '../../src/dev-idp/index.js';
import { authOf } from '../../src/sessions/auth-state.js';
import { MovableClock } from '../support/clock.js';
import { buildTestGateway, DEMO_CLIENT_SECRET, TEST_SESSION_SECRET, type TestGateway } from '../support/gateway.js';
import { startTestIdp } from '../support/idp.js';
import { closedPort } from '../support/ports.js';

// A user whose password is a canary: if it shows up anywhere in the logs, something logs what it must not.
const CANARY_PASSWORD = `CANARY-PW-${randomBytes(8).toString('hex')}`;

let idp: DevIdp;
let gateway: TestGateway;

beforeAll(async () => {
  idp = await startTestIdp({
    realm: (realm) => ({
      ...realm,
      users: [
        ...realm.users,
        {
          username: 'canary',
          email: 'canary@example.test',
          firstName: 'Can',
          lastName: 'Ary',
          enabled: true,
          credentials: [{ type: 'password', value: CANARY_PASSWORD }],
          realmRoles: ['user'],
        },
      ],
    }),
  });
  gateway = buildTestGateway({ idpUrl: idp.url, env: { LOG_LEVEL: 'silly' } });
});

afterAll(async () => {
  await idp.close();
});

describe('what the gateway logs', () => {
  it('never holds a password, a token or the client secret, through every path a request can take', async () => {
    const app = gateway.app;
    const secrets: string[] = [CANARY_PASSWORD, DEMO_CLIENT_SECRET];

    const login = await request(app).post('/api/auth/login').send({ username: 'canary', password: CANARY_PASSWORD });
    expect(login.status).toBe(200);
    secrets.push(login.body.token.access_token, login.body.token.refresh_token, login.body.token.id_token);

    await request(app)
      .post('/api/auth/login')
      .send({ username: 'canary', password: `${CANARY_PASSWORD}-wrong` });
    await request(app).post('/api/auth/login').send({ username: CANARY_PASSWORD, password: CANARY_PASSWORD });
    await request(app)
      .post(`/api/auth/login?password=${CANARY_PASSWORD}`)
      .send({ username: 'canary', password: CANARY_PASSWORD });
    await request(app)
      .post('/api/auth/login')
      .set('Content-Type', 'application/json')
      .send(`{"username":"canary","password":"${CANARY_PASSWORD}"`);
    await request(app).get('/api/auth/me').set('Authorization', `Bearer ${login.body.token.access_token}`);
    const refreshed = await request(app)
      .post('/api/auth/refresh-token')
      .send({ refresh_token: login.body.token.refresh_token });
    expect(refreshed.status).toBe(200);
    secrets.push(refreshed.body.token.access_token, refreshed.body.token.refresh_token);
    await request(app).post('/api/auth/refresh-token').send({ refresh_token: login.body.token.refresh_token });
    await request(app).post(`/api/auth/refresh-token?refresh_token=${refreshed.body.token.refresh_token}`).send({});
    await request(app)
      .post('/api/auth/logout')
      .set('Authorization', `Bearer ${refreshed.body.token.access_token}`)
      .set('Cookie', `sid=${CANARY_PASSWORD}`)
      .send({ refresh_token: refreshed.body.token.refresh_token });
    await request(app).get('/api/auth/me').set('Authorization', `Bearer ${refreshed.body.token.access_token}`);

    const down = buildTestGateway({ idpUrl: `http://127.0.0.1:${await closedPort()}`, env: { LOG_LEVEL: 'silly' } });
    await request(down.app).post('/api/auth/login').send({ username: 'canary', password: CANARY_PASSWORD });
    await request(down.app).post('/api/auth/refresh-token').send({ refresh_token: refreshed.body.token.refresh_token });

    const logged = gateway.logs.text() + down.logs.text();
    expect(gateway.logs.lines().length).toBeGreaterThan(20);
    for (const secret of secrets) expect(logged).not.toContain(secret);
    expect(logged).not.toMatch(/eyJ[\w-]{8,}\.[\w-]{8,}\./);
    // The failed logins are there, identifiable without naming what was typed.
    expect(gateway.logs.events('auth.login.failed')).toContainEqual(
      expect.objectContaining({ error: 'invalid_credentials', usernameHash: expect.stringMatching(/^[0-9a-f]{16}$/) }),
    );
  });

  it('in session mode never holds a password, a token, the session id or the session secret either', async () => {
    const clock = new MovableClock();
    const session = buildTestGateway({ idpUrl: idp.url, mode: 'session', clock, env: { LOG_LEVEL: 'silly' } });
    const agent = request.agent(session.app);
    const csrf = { 'X-CSRF': '1' };
    await agent
      .post('/api/auth/login')
      .set(csrf)
      .send({ username: 'canary', password: `${CANARY_PASSWORD}-wrong` });
    const login = await agent.post('/api/auth/login').set(csrf).send({ username: 'canary', password: CANARY_PASSWORD });
    expect(login.status).toBe(200);
    const cookie = ((login.headers['set-cookie'] as unknown as string[])[0] ?? '').split(';')[0] ?? '';
    const sid =
      decodeURIComponent(cookie.slice(cookie.indexOf('=') + 1))
        .slice(2)
        .split('.')[0] ?? '';
    expect(sid.length).toBeGreaterThan(20);
    const stored = await session.sessions.read(sid);
    const auth = authOf(stored);
    const secrets = [
      CANARY_PASSWORD,
      DEMO_CLIENT_SECRET,
      TEST_SESSION_SECRET,
      sid,
      cookie,
      auth?.accessToken,
      auth?.refreshToken,
    ].filter((v): v is string => Boolean(v));
    expect(secrets).toHaveLength(7);

    await agent.get('/api/auth/me');
    clock.advanceSeconds(290);
    await agent.get('/api/auth/me');
    const refreshed = authOf(await session.sessions.read(sid));
    secrets.push(refreshed?.accessToken ?? 'missing', refreshed?.refreshToken ?? 'missing');
    await agent.post('/api/auth/logout');
    await agent.post('/api/auth/logout').set(csrf).set('Origin', 'https://evil.example');
    await agent.post('/api/auth/logout').set(csrf);
    await request(session.app).get('/api/auth/me').set('Cookie', cookie);

    const logged = session.logs.text();
    expect(session.logs.lines().length).toBeGreaterThan(10);
    for (const secret of secrets) expect(logged).not.toContain(secret);
    expect(logged).not.toMatch(/eyJ[\w-]{8,}\.[\w-]{8,}\./);
    expect(session.logs.events('http.error')).toContainEqual(
      expect.objectContaining({ error: 'csrf_rejected', reason: 'missing_header' }),
    );
  });
});

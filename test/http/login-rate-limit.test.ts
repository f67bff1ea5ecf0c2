import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { DevIdp } from '../../src/dev-idp/index.js';
import { buildTestGateway } from '../support/gateway.js';
import { startTestIdp } from '../support/idp.js';

const RATE_LIMITED = { error: 'rate_limited', message: 'Too many attempts; try again later' };

let idp: DevIdp;
beforeAll(async () => {
  idp = await startTestIdp();
});
afterAll(async () => {
  await idp.close();
});

describe('login rate limits', () => {
  it('after LOGIN_FAILURES_PER_USER wrong passwords for one user, the next attempt is 429 with Retry-After and never reaches the provider', async () => {
    const { app } = buildTestGateway({ idpUrl: idp.url, env: { LOGIN_FAILURES_PER_USER: '3' } });
    const wrong = () => request(app).post('/api/auth/login').send({ username: 'alice', password: 'guess' });
    expect([(await wrong()).status, (await wrong()).status, (await wrong()).status]).toEqual([401, 401, 401]);
    idp.clearSeen();
    const limited = await request(app).post('/api/auth/login').send({ username: 'Alice', password: 'alice-password' });
    expect({ status: limited.status, body: limited.body }).toEqual({ status: 429, body: RATE_LIMITED });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(900);
    expect(idp.seen).toEqual([]);
    // Another user from the same address is not locked out by alice's failures.
    const other = await request(app).post('/api/auth/login').send({ username: 'admin', password: 'admin-password' });
    expect(other.status).toBe(200);
  });

  it('successful logins and provider outages do not count as failures', async () => {
    const { app } = buildTestGateway({ idpUrl: idp.url, env: { LOGIN_FAILURES_PER_USER: '2' } });
    for (let i = 0; i < 5; i += 1) {
      expect(
        (await request(app).post('/api/auth/login').send({ username: 'alice', password: 'alice-password' })).status,
      ).toBe(200);
    }
    expect(
      (await request(app).post('/api/auth/login').send({ username: 'bob', password: 'bob-password' })).status,
    ).toBe(403);
    expect(
      (await request(app).post('/api/auth/login').send({ username: 'bob', password: 'bob-password' })).status,
    ).toBe(403);
    expect(
      (await request(app).post('/api/auth/login').send({ username: 'bob', password: 'bob-password' })).status,
    ).toBe(403);
  });

  it('counts attempts still in flight, so parallel guesses cannot slip past the limit before the first failure is counted', async () => {
    const { app } = buildTestGateway({ idpUrl: idp.url, env: { LOGIN_FAILURES_PER_USER: '2' } });
    idp.clearSeen();
    const guess = (password: string) => request(app).post('/api/auth/login').send({ username: 'alice', password });
    const guesses = await Promise.all([guess('one'), guess('two'), guess('three')]);
    expect(guesses.map((res) => res.status).sort()).toEqual([401, 401, 429]);
    expect(idp.seen.filter((seen) => seen.grantType === 'password').length).toBe(2);
  });

  it('so more simultaneous logins of one user than the limit get 429 even when they would succeed; answered successes are taken back', async () => {
    const { app } = buildTestGateway({ idpUrl: idp.url, env: { LOGIN_FAILURES_PER_USER: '2' } });
    const login = () => request(app).post('/api/auth/login').send({ username: 'alice', password: 'alice-password' });
    const together = await Promise.all([login(), login(), login()]);
    expect(together.map((res) => res.status).sort()).toEqual([200, 200, 429]);
    expect((await login()).status).toBe(200);
  });

  it('after LOGIN_FAILURES_PER_IP failures across many usernames from one address, the next is 429 (password spraying)', async () => {
    const { app } = buildTestGateway({ idpUrl: idp.url, env: { LOGIN_FAILURES_PER_IP: '4' } });
    for (let i = 0; i < 4; i += 1) {
      expect(
        (
          await request(app)
            .post('/api/auth/login')
            .send({ username: `user${i}`, password: 'Winter2026!' })
        ).status,
      ).toBe(401);
    }
    const res = await request(app).post('/api/auth/login').send({ username: 'user9', password: 'Winter2026!' });
    expect({ status: res.status, body: res.body }).toEqual({ status: 429, body: RATE_LIMITED });
  });

  it('a spoofed X-Forwarded-For does not move the client to a fresh counter when no proxy is trusted', async () => {
    const { app } = buildTestGateway({ idpUrl: idp.url, env: { LOGIN_FAILURES_PER_IP: '2' } });
    for (let i = 0; i < 2; i += 1) {
      await request(app)
        .post('/api/auth/login')
        .set('X-Forwarded-For', `203.0.113.${i}`)
        .send({ username: `u${i}`, password: 'x' });
    }
    const res = await request(app)
      .post('/api/auth/login')
      .set('X-Forwarded-For', '198.51.100.7')
      .send({ username: 'u3', password: 'x' });
    expect(res.status).toBe(429);
  });
});

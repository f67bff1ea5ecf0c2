import { afterEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { buildTestGateway } from '../support/gateway.js';
import { closedPort } from '../support/ports.js';
import { startTestIdp } from '../support/idp.js';
import { startScriptedProvider, type ScriptedProvider } from '../support/scripted-provider.js';

const UNAVAILABLE = { error: 'idp_unavailable', message: 'The identity provider cannot be reached' };
const TIMEOUT = { error: 'idp_timeout', message: 'The identity provider did not answer in time' };
const IDP_ERROR = { error: 'idp_error', message: 'The identity provider answered with an error' };

let provider: ScriptedProvider | undefined;
afterEach(async () => {
  await provider?.close();
  provider = undefined;
});

async function timed<T>(fn: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await fn();
  return { result, ms: performance.now() - started };
}

describe('when the provider is down', () => {
  it('login answers 503 idp_unavailable with Retry-After within a second', async () => {
    const { app } = buildTestGateway({ idpUrl: `http://127.0.0.1:${await closedPort()}` });
    const { result: res, ms } = await timed(() =>
      request(app).post('/api/auth/login').send({ username: 'alice', password: 'alice-password' }),
    );
    expect({ status: res.status, body: res.body }).toEqual({ status: 503, body: UNAVAILABLE });
    expect(res.headers['retry-after']).toBe('5');
    expect(ms).toBeLessThan(1000);
  });

  it('refresh, logout, me and readyz answer 503 idp_unavailable, never a 500 or a 401', async () => {
    const { app } = buildTestGateway({ idpUrl: `http://127.0.0.1:${await closedPort()}` });
    const answers = await Promise.all([
      request(app).post('/api/auth/refresh-token').send({ refresh_token: 'x' }),
      request(app).post('/api/auth/logout').send({ refresh_token: 'x' }),
      request(app).get('/api/auth/me').set('Authorization', 'Bearer abc.def.ghi'),
      request(app).get('/readyz'),
    ]);
    expect(answers.map((res) => res.status)).toEqual([503, 503, 503, 503]);
    expect(answers.slice(0, 3).map((res) => res.body)).toEqual([UNAVAILABLE, UNAVAILABLE, UNAVAILABLE]);
    expect(answers[3]?.body).toEqual({
      error: 'idp_unavailable',
      message: 'Not ready: the identity provider (discovery and key set) does not answer',
    });
  });

  it('the failure is logged as idp.unavailable with the request id and the cause, and /healthz still answers', async () => {
    const { app, logs } = buildTestGateway({ idpUrl: `http://127.0.0.1:${await closedPort()}` });
    const res = await request(app).post('/api/auth/login').send({ username: 'alice', password: 'alice-password' });
    const [line] = logs.events('idp.unavailable');
    expect(line).toMatchObject({
      level: 'warn',
      requestId: res.headers['x-request-id'],
      provider: { operation: 'discovery' },
    });
    const failed = logs.events('auth.login.failed')[0];
    expect(failed).toMatchObject({
      error: 'idp_unavailable',
      status: 503,
      cause: { chain: expect.stringContaining('ECONNREFUSED') },
    });
    expect((await request(app).get('/healthz')).body).toEqual({ status: 'ok' });
  });
});

describe('when the provider hangs', () => {
  it('login answers 504 idp_timeout within IDP_TIMEOUT_MS and a small margin, then serves again once the provider answers', async () => {
    provider = await startScriptedProvider();
    const { app } = buildTestGateway({ idpUrl: provider.url, env: { IDP_TIMEOUT_MS: '300' } });
    provider.answer('token', { status: 0, hang: true });
    const { result: res, ms } = await timed(() =>
      request(app).post('/api/auth/refresh-token').send({ refresh_token: 'rt' }),
    );
    expect({ status: res.status, body: res.body }).toEqual({ status: 504, body: TIMEOUT });
    expect(ms).toBeGreaterThanOrEqual(290);
    expect(ms).toBeLessThan(1000);

    provider.answer('token', {
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify({
        access_token: 'at',
        refresh_token: 'rt2',
        expires_in: 300,
        refresh_expires_in: 1800,
        token_type: 'Bearer',
        scope: 'openid',
      }),
    });
    const again = await request(app).post('/api/auth/refresh-token').send({ refresh_token: 'rt' });
    expect({ status: again.status, body: again.body }).toEqual({
      status: 200,
      body: {
        message: 'Token refreshed successfully',
        token: {
          access_token: 'at',
          refresh_token: 'rt2',
          expires_in: 300,
          refresh_expires_in: 1800,
          token_type: 'Bearer',
          scope: 'openid',
        },
      },
    });
  });

  it('a hanging discovery answers 504 idp_timeout too', async () => {
    provider = await startScriptedProvider();
    provider.answer('discovery', { status: 0, hang: true });
    const { app } = buildTestGateway({ idpUrl: provider.url, env: { IDP_TIMEOUT_MS: '300' } });
    const { result: res, ms } = await timed(() =>
      request(app).post('/api/auth/login').send({ username: 'a', password: 'b' }),
    );
    expect({ status: res.status, body: res.body }).toEqual({ status: 504, body: TIMEOUT });
    expect(ms).toBeLessThan(1000);
  });
});

describe('when the provider answers garbage', () => {
  it.each([
    ['an HTML page', { status: 500, body: '<html>oops</html>', contentType: 'text/html' }],
    ['an empty body', { status: 200, body: '' }],
    ['a 500 with JSON', { status: 500, body: '{"error":"server_error"}', contentType: 'application/json' }],
  ])('discovery returning %s answers 502 idp_error', async (_case, answer) => {
    provider = await startScriptedProvider();
    provider.answer('discovery', answer);
    const { app } = buildTestGateway({ idpUrl: provider.url });
    const res = await request(app).post('/api/auth/login').send({ username: 'a', password: 'b' });
    expect({ status: res.status, body: res.body }).toEqual({ status: 502, body: IDP_ERROR });
  });

  it('a realm that does not exist answers 502 idp_error', async () => {
    provider = await startScriptedProvider('some-other-realm');
    const { app } = buildTestGateway({ idpUrl: provider.url });
    const res = await request(app).post('/api/auth/login').send({ username: 'a', password: 'b' });
    expect({ status: res.status, body: res.body }).toEqual({ status: 502, body: IDP_ERROR });
  });
});

describe('when the provider comes back', () => {
  it('the same gateway serves again, without a restart', async () => {
    const port = await closedPort();
    const { app } = buildTestGateway({ idpUrl: `http://127.0.0.1:${port}` });
    const login = () => request(app).post('/api/auth/login').send({ username: 'alice', password: 'alice-password' });
    expect((await login()).status).toBe(503);
    expect((await request(app).get('/readyz')).status).toBe(503);

    const idp = await startTestIdp({ port });
    try {
      expect((await request(app).get('/readyz')).body).toEqual({ status: 'ready', checks: { idp: 'ok' } });
      const res = await login();
      expect(res.status).toBe(200);
      expect(res.body.user.username).toBe('alice');
    } finally {
      await idp.close();
    }
    // Down again after having been up (discovery cached): still 503, never a 500.
    expect((await login()).body).toEqual(UNAVAILABLE);
  });
});

import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { buildTestGateway } from '../support/gateway.js';

const { app } = buildTestGateway({ idpUrl: 'http://127.0.0.1:9', env: { CORS_ORIGINS: 'https://app.example.com' } });

describe('response headers', () => {
  it('carry the protections a JSON API needs on every answer, and none of the headers meant for documents', async () => {
    for (const res of [
      await request(app).get('/healthz'),
      await request(app).get('/nowhere'),
      await request(app).get('/api/openapi.json'),
    ]) {
      const security = Object.fromEntries(
        Object.entries(res.headers).filter(
          ([name]) =>
            ![
              'content-type',
              'content-length',
              'date',
              'connection',
              'keep-alive',
              'x-request-id',
              'cache-control',
              'etag',
            ].includes(name),
        ),
      );
      expect(security).toEqual({
        'content-security-policy': "default-src 'none';frame-ancestors 'none'",
        'cross-origin-resource-policy': 'same-origin',
        'referrer-policy': 'no-referrer',
        'strict-transport-security': 'max-age=31536000; includeSubDomains',
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        vary: 'Origin',
      });
    }
  });

  it("give the HTML pages (the API docs) helmet's full set, with a CSP that lets Swagger UI run and nobody frame it", async () => {
    const res = await request(app).get('/api/docs/');
    expect(res.status).toBe(200);
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['content-security-policy']).toContain("style-src 'self' https: 'unsafe-inline'");
    expect(res.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
      'x-frame-options': 'SAMEORIGIN',
    });
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('take a well-formed X-Request-Id from the caller and replace anything else', async () => {
    const kept = await request(app).get('/healthz').set('X-Request-Id', 'trace-1234.abcd:ef');
    expect(kept.headers['x-request-id']).toBe('trace-1234.abcd:ef');
    for (const offered of ['short', 'has spaces in it', 'x'.repeat(200), '<script>alert(1)</script>']) {
      const replaced = await request(app).get('/healthz').set('X-Request-Id', offered);
      expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('put X-Request-Id on error answers too', async () => {
    const res = await request(app).get('/nowhere');
    expect(res.status).toBe(404);
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('CORS', () => {
  it('answers a preflight from an allowed origin with credentials allowed, never with a wildcard', async () => {
    const res = await request(app)
      .options('/api/auth/login')
      .set('Origin', 'https://app.example.com')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type');
    expect(res.status).toBe(204);
    expect(res.headers).toMatchObject({
      'access-control-allow-origin': 'https://app.example.com',
      'access-control-allow-credentials': 'true',
    });
  });

  it('gives a foreign origin no Access-Control-Allow-Origin', async () => {
    const res = await request(app)
      .options('/api/auth/login')
      .set('Origin', 'https://evil.example')
      .set('Access-Control-Request-Method', 'POST');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const simple = await request(app).get('/healthz').set('Origin', 'https://evil.example');
    expect(simple.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('allows no origin at all when CORS_ORIGINS is unset', async () => {
    const { app: closed } = buildTestGateway({ idpUrl: 'http://127.0.0.1:9' });
    const res = await request(closed).get('/healthz').set('Origin', 'http://localhost:5173');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('unexpected failures', () => {
  it('leave as 500 internal_error with a fixed message; the detail and stack go to the log only', async () => {
    const gateway = buildTestGateway({ idpUrl: 'http://127.0.0.1:9' });
    // The identity provider throwing something nobody expected: the error middleware must still answer in the contract.
    Object.assign(gateway.keycloak, {
      verifyAccessToken: async () => {
        throw new RangeError('kaboom at /srv/secret/path');
      },
    });
    const res = await request(gateway.app).get('/api/auth/me').set('Authorization', 'Bearer abc.def.ghi');
    expect({ status: res.status, body: res.body }).toEqual({
      status: 500,
      body: { error: 'internal_error', message: 'An unexpected error occurred' },
    });
    expect(res.text).not.toContain('kaboom');
    expect(gateway.logs.events('auth.me.failed')).toEqual([
      expect.objectContaining({
        level: 'error',
        error: 'internal_error',
        requestId: res.headers['x-request-id'],
        cause: { chain: 'RangeError: kaboom at /srv/secret/path', stack: expect.stringContaining('RangeError') },
      }),
    ]);
  });
});

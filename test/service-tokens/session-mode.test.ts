import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { DevIdp } from '../../src/dev-idp/index.js';
import { buildTestGateway, type TestGateway } from '../support/gateway.js';
import { startTestIdp } from '../support/idp.js';
import { FORBIDDEN, ISO, TOKEN_SHAPE, exchange } from './helpers.js';

const CSRF = { 'X-CSRF': '1' };
let idp: DevIdp;
let gateway: TestGateway;

beforeAll(async () => {
  idp = await startTestIdp();
  gateway = buildTestGateway({ idpUrl: idp.url, mode: 'session' });
});
afterAll(async () => {
  await idp?.close();
});

async function sessionOf(username: string): Promise<string> {
  const res = await request(gateway.app)
    .post('/api/auth/login')
    .set(CSRF)
    .send({ username, password: `${username}-password` });
  expect(res.status).toBe(200);
  return (res.headers['set-cookie'] as unknown as string[])[0]?.split(';')[0] ?? '';
}

function create(cookie: string | undefined, fields: Record<string, unknown> = {}, headers = CSRF) {
  const req = request(gateway.app).post('/api/auth/service-tokens').set(headers);
  if (cookie) req.set('Cookie', cookie);
  return req.send({ username: 'alice', password: 'alice-password', name: 'session bot', days: 7, ...fields });
}

describe('service tokens in session mode', () => {
  it('creates with the session, its CSRF header and the password again', async () => {
    const cookie = await sessionOf('alice');
    const res = await create(cookie);
    expect({ status: res.status, body: res.body }).toEqual({
      status: 201,
      body: {
        message: 'Service token created',
        token: expect.stringMatching(TOKEN_SHAPE),
        service_token: {
          id: expect.any(String),
          name: 'session bot',
          owner: 'alice',
          created_at: expect.stringMatching(ISO),
          expires_at: expect.stringMatching(ISO),
          days_left: 7,
          last_used_at: null,
        },
      },
    });
    // A bot exchanges it with its Authorization header alone: no session, no CSRF header.
    expect((await exchange(gateway.app, res.body.token as string)).status).toBe(200);
  });

  it('refuses a create without the CSRF header, without a session, or for another account than the session’s', async () => {
    const cookie = await sessionOf('alice');
    const noCsrf = await create(cookie, {}, {} as typeof CSRF);
    expect({ status: noCsrf.status, error: noCsrf.body.error }).toEqual({ status: 403, error: 'csrf_rejected' });
    const noSession = await create(undefined);
    expect({ status: noSession.status, body: noSession.body }).toEqual({
      status: 401,
      body: { error: 'unauthenticated', message: 'Authentication is required' },
    });
    const adminSession = await sessionOf('admin');
    const other = await create(adminSession);
    expect({ status: other.status, body: other.body }).toEqual({ status: 403, body: FORBIDDEN });
  });

  it('lists with the session and revokes with the session and the CSRF header', async () => {
    const cookie = await sessionOf('admin');
    const made = await create(cookie, { username: 'admin', password: 'admin-password', name: 'admin bot' });
    const id = made.body.service_token.id as string;
    const list = await request(gateway.app).get('/api/auth/service-tokens').set('Cookie', cookie);
    expect({ status: list.status, body: list.body }).toEqual({
      status: 200,
      body: { service_tokens: [{ ...made.body.service_token, days_left: 6 }] },
    });
    const noCsrf = await request(gateway.app).delete(`/api/auth/service-tokens/${id}`).set('Cookie', cookie);
    expect(noCsrf.status).toBe(403);
    const revoked = await request(gateway.app).delete(`/api/auth/service-tokens/${id}`).set('Cookie', cookie).set(CSRF);
    expect({ status: revoked.status, body: revoked.body }).toEqual({
      status: 200,
      body: { message: 'Service token revoked' },
    });
    expect((await exchange(gateway.app, made.body.token as string)).status).toBe(401);
  });

  it('a request with an Authorization header is never read as the session’s', async () => {
    const cookie = await sessionOf('alice');
    const made = await create(cookie, { name: 'kept' });
    const res = await request(gateway.app)
      .delete(`/api/auth/service-tokens/${made.body.service_token.id as string}`)
      .set('Cookie', cookie)
      .set('Authorization', 'Bearer agst_not-a-token');
    expect({ status: res.status, error: res.body.error }).toEqual({ status: 401, error: 'service_token_invalid' });
    const withJwt = await request(gateway.app)
      .get('/api/auth/service-tokens')
      .set('Cookie', cookie)
      .set('Authorization', 'Bearer eyJhbGciOiJub25lIn0.e30.');
    expect({ status: withJwt.status, error: withJwt.body.error }).toEqual({ status: 401, error: 'unauthenticated' });
    expect((await exchange(gateway.app, made.body.token as string)).status).toBe(200);
  });
});

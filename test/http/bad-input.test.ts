import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { DevIdp } from '../../src/dev-idp/index.js';
import { buildTestGateway, type TestGateway } from '../support/gateway.js';
import { startTestIdp } from '../support/idp.js';

let idp: DevIdp;
let gateway: TestGateway;

beforeAll(async () => {
  idp = await startTestIdp();
  gateway = buildTestGateway({ idpUrl: idp.url });
});

afterAll(async () => {
  await idp.close();
});

const NOT_JSON = { error: 'invalid_request', message: 'The body is not valid JSON' };
const NOT_OBJECT = { error: 'invalid_request', message: 'The body must be a JSON object or a form' };

describe('bad input never reaches the provider and never gets a 500', () => {
  beforeAll(() => idp.clearSeen());
  afterAll(() => {
    expect(idp.seen).toEqual([]);
  });

  it.each(['/api/auth/login', '/api/auth/refresh-token', '/api/auth/logout'])(
    'malformed JSON to %s is 400 invalid_request',
    async (path) => {
      const res = await request(gateway.app)
        .post(path)
        .set('Content-Type', 'application/json')
        .send('{"username": "alice",');
      expect({ status: res.status, body: res.body }).toEqual({ status: 400, body: NOT_JSON });
    },
  );

  it.each([['[1,2,3]'], ['42'], ['"alice"'], ['null'], ['true']])(
    'a JSON %s as the body is 400 invalid_request',
    async (body) => {
      const res = await request(gateway.app).post('/api/auth/login').set('Content-Type', 'application/json').send(body);
      expect({ status: res.status, body: res.body }).toEqual({ status: 400, body: NOT_OBJECT });
    },
  );

  it('wrong-typed fields are 400 invalid_request naming each field', async () => {
    const res = await request(gateway.app)
      .post('/api/auth/login')
      .send({ username: 42, password: ['a'] });
    expect({ status: res.status, body: res.body }).toEqual({
      status: 400,
      body: {
        error: 'invalid_request',
        message: 'Some fields are invalid',
        details: [
          { field: 'username', problem: 'must be a string' },
          { field: 'password', problem: 'must be a string' },
        ],
      },
    });
  });

  it('a refresh token that is not a string is 400 invalid_request', async () => {
    const res = await request(gateway.app)
      .post('/api/auth/refresh-token')
      .send({ refresh_token: { $ne: null } });
    expect({ status: res.status, body: res.body }).toEqual({
      status: 400,
      body: {
        error: 'invalid_request',
        message: 'Some fields are invalid',
        details: [{ field: 'refresh_token', problem: 'must be a string' }],
      },
    });
  });

  it('a 2 MB body is 413 payload_too_large', async () => {
    const res = await request(gateway.app)
      .post('/api/auth/login')
      .send({ username: 'alice', password: 'x'.repeat(2 * 1024 * 1024) });
    expect({ status: res.status, body: res.body }).toEqual({
      status: 413,
      body: { error: 'payload_too_large', message: 'The request body is too large' },
    });
  });

  it.each(['text/plain', 'application/xml', 'multipart/form-data; boundary=x'])(
    'a %s body is 415 unsupported_media_type',
    async (type) => {
      const res = await request(gateway.app)
        .post('/api/auth/login')
        .set('Content-Type', type)
        .send('username=alice&password=alice-password');
      expect({ status: res.status, body: res.body }).toEqual({
        status: 415,
        body: {
          error: 'unsupported_media_type',
          message: 'Send the body as application/json or application/x-www-form-urlencoded',
        },
      });
    },
  );

  it('a 10 KB username is 400 invalid_request', async () => {
    const res = await request(gateway.app)
      .post('/api/auth/login')
      .send({ username: 'a'.repeat(10 * 1024), password: 'x' });
    expect({ status: res.status, body: res.body }).toEqual({
      status: 400,
      body: {
        error: 'invalid_request',
        message: 'Some fields are invalid',
        details: [{ field: 'username', problem: 'must be at most 255 characters' }],
      },
    });
  });

  it.each(['alice\u0000', 'alice\r\nadmin', 'ali\u001bce', 'alice\u0085'])(
    'a username with control characters (%j) is 400 invalid_request',
    async (username) => {
      const res = await request(gateway.app).post('/api/auth/login').send({ username, password: 'alice-password' });
      expect({ status: res.status, body: res.body }).toEqual({
        status: 400,
        body: {
          error: 'invalid_request',
          message: 'Some fields are invalid',
          details: [{ field: 'username', problem: 'must not contain control characters' }],
        },
      });
    },
  );

  it.each([
    ['/api/auth/login?password=alice-password', 'password'],
    ['/api/auth/refresh-token?refresh_token=abc', 'refresh_token'],
    ['/api/auth/me?access_token=abc', 'access_token'],
  ])('a secret in the query string (%s) is 400 invalid_request', async (path, field) => {
    const res = await request(gateway.app)
      .post(path)
      .send({ username: 'alice', password: 'alice-password', refresh_token: 'x' });
    expect({ status: res.status, body: res.body }).toEqual({
      status: 400,
      body: {
        error: 'invalid_request',
        message: 'Secrets must not be sent in the URL; send them in the request body',
        details: [{ field, problem: 'not allowed in the query string' }],
      },
    });
  });

  it('an unknown route is 404 not_found in the contract', async () => {
    const res = await request(gateway.app).get('/api/auth/nope');
    expect({ status: res.status, body: res.body }).toEqual({
      status: 404,
      body: { error: 'not_found', message: 'No such endpoint' },
    });
  });
});

describe('unicode is not bad input', () => {
  it('a unicode username reaches the provider and gets the ordinary invalid_credentials answer', async () => {
    idp.clearSeen();
    const res = await request(gateway.app)
      .post('/api/auth/login')
      .send({ username: 'ålice-😀-名前', password: 'pässwörd-🔑' });
    expect({ status: res.status, body: res.body }).toEqual({
      status: 401,
      body: { error: 'invalid_credentials', message: 'Invalid username or password' },
    });
    expect(idp.seen).toEqual([expect.objectContaining({ grantType: 'password', status: 400 })]);
  });
});

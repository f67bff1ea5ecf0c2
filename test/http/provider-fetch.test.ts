import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { DevIdp } from '../../src/dev-idp/index.js';
import { BufferedResponse, type Fetch } from '../../src/idp/provider-fetch.js';
import { buildTestGateway } from '../support/gateway.js';
import { startTestIdp } from '../support/idp.js';

// BufferedResponse stands in for a standard Response without a body stream. These tests fail when openid-client, jose
// or the gateway start using a part of a Response it does not provide, or when undici's Response starts behaving
// differently from it: then it must follow, or go.

/** What BufferedResponse answers itself, or inherits unchanged from a Response built without a body. */
const PROVIDED = new Set([
  'status',
  'statusText',
  'ok',
  'headers',
  'type',
  'url',
  'redirected',
  'bodyUsed',
  'text',
  'json',
  'arrayBuffer',
  'clone',
  'body',
]);

/** The response, noting in `touched` every member its reader asks for (`then`: only `await` asking whether it is a promise). */
function recording(response: Response, touched: Set<string>): Response {
  return new Proxy(response, {
    get(target, name) {
      if (typeof name === 'string' && name !== 'then') touched.add(name);
      if (name === 'clone') return () => recording(target.clone(), touched);
      const value: unknown = Reflect.get(target, name, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

let idp: DevIdp;
beforeAll(async () => {
  idp = await startTestIdp();
});
afterAll(async () => {
  await idp.close();
});

describe("the provider's answers, handed over as BufferedResponse", () => {
  it('are read by openid-client, jose and the gateway only through what BufferedResponse provides', async () => {
    const touched = new Set<string>();
    const answers: { status: number; buffered: boolean }[] = [];
    const wrapFetch =
      (network: Fetch): Fetch =>
      async (input, init) => {
        const response = await network(input, init);
        answers.push({ status: response.status, buffered: response instanceof BufferedResponse });
        return recording(response, touched);
      };
    const { app } = buildTestGateway({ idpUrl: idp.url, wrapFetch });

    const login = await request(app).post('/api/auth/login').send({ username: 'alice', password: 'alice-password' });
    const me = await request(app).get('/api/auth/me').set('Authorization', `Bearer ${login.body.token.access_token}`);
    const refreshed = await request(app)
      .post('/api/auth/refresh-token')
      .send({ refresh_token: login.body.token.refresh_token });
    const refused = await request(app).post('/api/auth/refresh-token').send({ refresh_token: 'not-a-refresh-token' });
    const wrongPassword = await request(app)
      .post('/api/auth/login')
      .send({ username: 'alice@example.test', password: 'wrong' });
    const ready = await request(app).get('/readyz');
    const logout = await request(app)
      .post('/api/auth/logout')
      .send({ refresh_token: refreshed.body.token.refresh_token });

    expect([login, me, refreshed, refused, wrongPassword, ready, logout].map((res) => res.status)).toEqual([
      200, 200, 200, 400, 401, 200, 200,
    ]);
    expect([...touched].filter((name) => !PROVIDED.has(name))).toEqual([]);
    expect(touched).toContain('json');
    // Every answer with a body came as a BufferedResponse: the path measured in bench/micro/provider-fetch.ts is the one taken.
    expect(answers.filter((answer) => answer.status !== 204 && !answer.buffered)).toEqual([]);
    expect(answers.filter((answer) => answer.buffered).length).toBeGreaterThanOrEqual(6);
  });
});

describe('BufferedResponse', () => {
  const init = { status: 400, statusText: 'Bad Request', headers: { 'content-type': 'application/json' } };
  const text = JSON.stringify({ error: 'invalid_grant', error_description: 'Token is not active' });
  const readings: Record<string, (response: Response) => Promise<unknown>> = {
    'the status line and headers': async (r) => [
      r instanceof Response,
      r.status,
      r.statusText,
      r.ok,
      r.headers.get('content-type'),
      r.bodyUsed,
    ],
    'text()': async (r) => [await r.text(), r.bodyUsed],
    'json()': async (r) => [await r.json(), r.bodyUsed],
    'arrayBuffer()': async (r) => Buffer.from(await r.arrayBuffer()).toString('utf8'),
    'a second read': async (r) => {
      await r.text();
      return r.json();
    },
    'clone() before a read': async (r) => {
      const copy = r.clone();
      return [copy instanceof Response, copy.status, await copy.text(), r.bodyUsed, await r.json()];
    },
    'clone() after a read': async (r) => {
      await r.arrayBuffer();
      return r.clone();
    },
  };

  async function outcome(response: Response, read: (response: Response) => Promise<unknown>): Promise<unknown> {
    try {
      return { value: await read(response) };
    } catch (err) {
      return { thrown: (err as Error).name };
    }
  }

  it.each(Object.keys(readings))('answers %s as a standard Response holding the same bytes does', async (name) => {
    const read = readings[name]!;
    const bytes = Buffer.from(text);
    expect(await outcome(new BufferedResponse(bytes, init), read)).toEqual(
      await outcome(new Response(bytes, init), read),
    );
  });

  it('refuses a body that is not JSON as a standard Response does', async () => {
    const bytes = Buffer.from('<html>bad gateway</html>');
    const read = (r: Response) => r.json();
    expect(await outcome(new BufferedResponse(bytes, init), read)).toEqual({ thrown: 'SyntaxError' });
    expect(await outcome(new Response(bytes, init), read)).toEqual({ thrown: 'SyntaxError' });
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sign } from 'cookie-signature';
import request from 'supertest';
import type { DevIdp } from '../../src/dev-idp/index.js';
import { cookieSigningSecret } from '../../src/sessions/secret-keys.js';
import { Browser } from '../support/browser.js';
import { atGateway as gatewayAddress, signInFrom } from '../support/code-flow-login.js';
import { buildTestGateway, TEST_SESSION_SECRET } from '../support/gateway.js';
import { startTestIdp } from '../support/idp.js';
import { listen, type Listening } from '../support/listen.js';

/*
 * Session mode under attack, over real HTTP against the real development IdP: cross-site request forgery, session
 * fixation, tampered session cookies, and code-flow callbacks replayed or carried into another browser.
 */
let idp: DevIdp;
let server: Listening;
let atGateway: (url: string | URL) => URL;
beforeAll(async () => {
  idp = await startTestIdp();
  server = await listen(
    buildTestGateway({ idpUrl: idp.url, mode: 'session', env: { CORS_ORIGINS: 'http://localhost:5173' } }).app,
  );
  atGateway = gatewayAddress(server.url);
});
afterAll(async () => {
  await server.close();
  await idp.close();
});

const CSRF = { 'X-CSRF': '1' };
const NO_HEADER = { error: 'csrf_rejected', message: 'State-changing requests must carry the header X-CSRF: 1' };
const FOREIGN_ORIGIN = { error: 'csrf_rejected', message: 'The request comes from an origin that is not allowed' };
const UNAUTHENTICATED = { error: 'unauthenticated', message: 'Authentication is required' };
const NOT_THIS_BROWSER = {
  error: 'invalid_request',
  message: 'The login state is missing or does not belong to this browser; start the login again',
};

/** A password login; returns the session cookie as the browser sends it back (`authgate.sid=...`). */
async function loginAs(username: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await request(server.url)
    .post('/api/auth/login')
    .set({ ...CSRF, ...headers })
    .send({ username, password: `${username}-password` });
  expect(res.status).toBe(200);
  return sessionCookieOf(res.headers['set-cookie'] as unknown as string[]);
}

function sessionCookieOf(setCookies: readonly string[] | undefined): string {
  return (setCookies ?? []).find((c) => c.startsWith('authgate.sid='))?.split(';')[0] ?? '';
}

async function whoIs(cookie: string): Promise<{ me: { status: number; body: unknown }; session: unknown }> {
  const me = await request(server.url).get('/api/auth/me').set('Cookie', cookie);
  const session = await request(server.url).get('/api/auth/session').set('Cookie', cookie);
  return { me: { status: me.status, body: me.body as unknown }, session: session.body as unknown };
}

const NOBODY = { me: { status: 401, body: UNAUTHENTICATED }, session: { authenticated: false } };

describe('CSRF: a state-changing request needs X-CSRF: 1 and, with an Origin, an allowed one', () => {
  let victim: string;
  beforeAll(async () => {
    victim = await loginAs('alice');
  });

  // Each variant goes to login, refresh and logout with the victim's cookie, as a forged cross-site request would.
  const refused: [string, [string, string][], unknown][] = [
    ['no X-CSRF', [], NO_HEADER],
    ['X-CSRF: 0', [['X-CSRF', '0']], NO_HEADER],
    ['X-CSRF: true', [['X-CSRF', 'true']], NO_HEADER],
    ['X-CSRF: 01', [['X-CSRF', '01']], NO_HEADER],
    ['X-CSRF: "1 1"', [['X-CSRF', '1 1']], NO_HEADER],
    [
      'X-CSRF twice (Node joins them as "1, 1")',
      [
        ['X-CSRF', '1'],
        ['X-CSRF', '1'],
      ],
      NO_HEADER,
    ],
    ['X-CSRF-Token: 1 instead', [['X-CSRF-Token', '1']], NO_HEADER],
    ['X-HTTP-Method-Override: GET and no X-CSRF', [['X-HTTP-Method-Override', 'GET']], NO_HEADER],
    ['a foreign Origin', [...Object.entries(CSRF), ['Origin', 'https://evil.example']], FOREIGN_ORIGIN],
    ['Origin: null (a sandboxed frame, a file: page)', [...Object.entries(CSRF), ['Origin', 'null']], FOREIGN_ORIGIN],
    [
      'a look-alike subdomain origin',
      [...Object.entries(CSRF), ['Origin', 'http://localhost:3000.evil.example']],
      FOREIGN_ORIGIN,
    ],
    ['a look-alike port', [...Object.entries(CSRF), ['Origin', 'http://localhost:30001']], FOREIGN_ORIGIN],
    ['https instead of http', [...Object.entries(CSRF), ['Origin', 'https://localhost:3000']], FOREIGN_ORIGIN],
    [
      'an upper-case host (browsers send lower case)',
      [...Object.entries(CSRF), ['Origin', 'http://LOCALHOST:3000']],
      FOREIGN_ORIGIN,
    ],
    ['a trailing slash', [...Object.entries(CSRF), ['Origin', 'http://localhost:3000/']], FOREIGN_ORIGIN],
    ['a trailing dot on the host', [...Object.entries(CSRF), ['Origin', 'http://localhost.:3000']], FOREIGN_ORIGIN],
    [
      'two origins in one header',
      [...Object.entries(CSRF), ['Origin', 'http://localhost:3000 https://evil.example']],
      FOREIGN_ORIGIN,
    ],
  ];
  const cases = ['/api/auth/login', '/api/auth/refresh-token', '/api/auth/logout'].flatMap((path) =>
    refused.map(([name, headers, body]) => [path, name, headers, body] as const),
  );

  it.each(cases)('POST %s with %s is 403 before anything reaches the provider', async (path, _name, headers, body) => {
    idp.clearSeen();
    const req = request(server.url).post(path).set('Cookie', victim);
    // superagent sends an array as one header line per value (its types admit that for Cookie only).
    const set = req.set.bind(req) as (field: string, value: string | string[]) => unknown;
    for (const name of new Set(headers.map(([n]) => n))) {
      const values = headers.filter(([n]) => n === name).map(([, v]) => v);
      set(name, values.length > 1 ? values : (values[0] ?? ''));
    }
    const res = await req.send({ username: 'alice', password: 'alice-password' });
    expect({ status: res.status, body: res.body as unknown, cookies: res.headers['set-cookie'] }).toEqual({
      status: 403,
      body,
      cookies: undefined,
    });
    expect(idp.seen).toEqual([]);
  });

  it.each([
    ['?_method=GET in the query', '/api/auth/logout?_method=GET', {}],
    ['_method=GET in a form body', '/api/auth/logout', { _method: 'GET' }],
  ])('a POST overridden by %s is still a POST: 403 without X-CSRF', async (_name, path, body) => {
    const res = await request(server.url).post(path).set('Cookie', victim).type('form').send(body);
    expect({ status: res.status, body: res.body as unknown }).toEqual({ status: 403, body: NO_HEADER });
  });

  it.each([
    ['X-HTTP-Method-Override: POST', '/api/auth/logout', { 'X-HTTP-Method-Override': 'POST' }],
    ['?_method=POST', '/api/auth/logout?_method=POST', {}],
    ['X-HTTP-Method-Override: POST', '/api/auth/refresh-token', { 'X-HTTP-Method-Override': 'POST', ...CSRF }],
  ])('a GET of a POST route with %s is 404, not a logout or a refresh', async (_name, path, headers) => {
    idp.clearSeen();
    const res = await request(server.url).get(path).set('Cookie', victim).set(headers);
    expect({ status: res.status, body: res.body as unknown }).toEqual({
      status: 404,
      body: { error: 'not_found', message: 'No such endpoint' },
    });
    expect(idp.seen).toEqual([]);
  });

  it.each([
    ['PUT', '/api/auth/me'],
    ['DELETE', '/api/auth/session'],
    ['PATCH', '/api/auth/logout'],
  ])(
    '%s %s without X-CSRF is 403 too: every method but GET, HEAD and OPTIONS is state-changing',
    async (method, path) => {
      const res = await request(server.url)[method.toLowerCase() as 'put'](path).set('Cookie', victim);
      expect({ status: res.status, body: res.body as unknown }).toEqual({ status: 403, body: NO_HEADER });
    },
  );

  it('left the victim logged in: no refused request ended or refreshed the session', async () => {
    expect(await whoIs(victim)).toEqual({
      me: { status: 200, body: { user: expect.objectContaining({ username: 'alice' }) } },
      session: expect.objectContaining({ authenticated: true }),
    });
  });

  it('takes X-CSRF: "1 " as X-CSRF: 1 (HTTP strips the whitespace around a value), and reads need no header', async () => {
    const refresh = await request(server.url).post('/api/auth/refresh-token').set('Cookie', victim).set('X-CSRF', '1 ');
    expect({ status: refresh.status, message: (refresh.body as { message?: string }).message }).toEqual({
      status: 200,
      message: 'Token refreshed successfully',
    });
    expect((await request(server.url).get('/api/auth/session').set('Cookie', victim)).status).toBe(200);
  });

  it('lets X-CSRF decide when only a Referer comes (a browser that could add the header cross-site would send Origin)', async () => {
    const withHeader = await request(server.url)
      .post('/api/auth/refresh-token')
      .set({ Cookie: victim, Referer: 'https://evil.example/page', ...CSRF });
    expect(withHeader.status).toBe(200);
    const without = await request(server.url)
      .post('/api/auth/refresh-token')
      .set({ Cookie: victim, Referer: 'http://localhost:3000/app' });
    expect({ status: without.status, body: without.body as unknown }).toEqual({ status: 403, body: NO_HEADER });
  });

  it.each(['http://localhost:3000', 'http://localhost:5173'])(
    'accepts its own origin and the configured SPA origin (%s)',
    async (origin) => {
      expect(
        (
          await request(server.url)
            .post('/api/auth/refresh-token')
            .set({ Cookie: victim, Origin: origin, ...CSRF })
        ).status,
      ).toBe(200);
    },
  );
});

describe('session fixation: a cookie planted before the login is never the session after it', () => {
  it.each([
    ['another user’s live session', () => loginAs('admin')],
    // As if the attacker could sign: the gateway must still never adopt an id a browser brought.
    [
      'an id the store does not know, signed as the gateway signs',
      () =>
        Promise.resolve(
          `authgate.sid=${encodeURIComponent(`s:${sign('planted-by-the-attacker', cookieSigningSecret(TEST_SESSION_SECRET))}`)}`,
        ),
    ],
    ['an unsigned id', () => Promise.resolve('authgate.sid=planted-by-the-attacker')],
  ])('password login over %s: a new id, and the planted one authenticates nobody', async (_name, plant) => {
    const planted = await plant();
    const after = await loginAs('alice', { Cookie: planted });
    expect(after).toMatch(/^authgate\.sid=s%3A/);
    expect(after).not.toBe(planted);
    expect(await whoIs(planted)).toEqual(NOBODY);
    expect((await whoIs(after)).me).toEqual({
      status: 200,
      body: { user: expect.objectContaining({ username: 'alice' }) },
    });
  });

  it('code-flow login over another user’s live session: a new id, and the planted one authenticates nobody', async () => {
    const planted = await loginAs('admin');
    const browser = new Browser();
    browser.setCookie(server.url, 'authgate.sid', planted.slice('authgate.sid='.length));
    const start = await browser.go(atGateway('/api/auth/login'));
    const callback = await signInFrom(browser, start, idp.url, 'alice');
    expect((await browser.go(atGateway(callback))).status).toBe(302);
    const after = `authgate.sid=${browser.cookie(server.url, 'authgate.sid') ?? ''}`;
    expect(after).not.toBe(planted);
    expect(await whoIs(planted)).toEqual(NOBODY);
    expect((await whoIs(after)).me).toEqual({
      status: 200,
      body: { user: expect.objectContaining({ username: 'alice' }) },
    });
  });
});

describe('a tampered session cookie', () => {
  it('with any one character changed, at every position, is no session: 401 from /me, authenticated:false from /session', async () => {
    const cookie = await loginAs('alice');
    const value = cookie.slice('authgate.sid='.length);
    const answers = new Map<string, number>();
    for (let at = 0; at < value.length; at += 1) {
      const tampered = `authgate.sid=${value.slice(0, at)}${changed(value[at] ?? '')}${value.slice(at + 1)}`;
      const { me, session } = await whoIs(tampered);
      const outcome = JSON.stringify({ me, session });
      answers.set(outcome, (answers.get(outcome) ?? 0) + 1);
    }
    expect([...answers]).toEqual([[JSON.stringify(NOBODY), value.length]]);
    // The real cookie, read before and after all that, is untouched.
    expect((await whoIs(cookie)).me.status).toBe(200);
  });

  it('is no session when the real id comes unsigned, with a forged or foreign signature, or signed with the gateway secret but not as express-session does', async () => {
    const cookie = await loginAs('alice');
    // The gateway has checked the real cookie and remembers it: the forgeries below carry the same session id.
    expect((await whoIs(cookie)).me.status).toBe(200);
    const signed = decodeURIComponent(cookie.slice('authgate.sid='.length));
    const sid = signed.slice(2, signed.lastIndexOf('.'));
    for (const value of [
      `s:${sid}`,
      sid,
      `s:${sid}.forged`,
      `s:${sign(sid, 'another-session-secret-of-at-least-32-chars')}`,
      `s:${sign(sid, TEST_SESSION_SECRET)}`,
    ]) {
      expect(await whoIs(`authgate.sid=${encodeURIComponent(value)}`)).toEqual(NOBODY);
    }
    expect((await whoIs(cookie)).me.status).toBe(200);
  });
});

/** Another character, never one that decodes the same (a hex digit's other case inside %3A would). */
function changed(char: string): string {
  if (/[0-8a-yA-Y]/.test(char)) return String.fromCharCode(char.charCodeAt(0) + 1);
  return char === 'B' ? 'C' : 'B';
}

describe('the code-flow callback', () => {
  it('works once: the same callback URL again is 400 invalid_request, with or without the old login cookie, and makes no second session', async () => {
    const browser = new Browser();
    const start = await browser.go(atGateway('/api/auth/login'));
    const callback = await signInFrom(browser, start, idp.url, 'alice');
    const loginCookie = browser.cookie(server.url, 'authgate.login') ?? '';
    const first = await browser.go(atGateway(callback));
    expect(first.status).toBe(302);
    const session = browser.cookie(server.url, 'authgate.sid');
    idp.clearSeen();

    const replay = await browser.go(atGateway(callback));
    expect({
      status: replay.status,
      body: await replay.json(),
      session: sessionCookieOf(replay.headers.getSetCookie()),
    }).toEqual({ status: 400, body: NOT_THIS_BROWSER, session: '' });
    browser.setCookie(server.url, 'authgate.login', loginCookie);
    const withCookie = await browser.go(atGateway(callback));
    expect({
      status: withCookie.status,
      body: await withCookie.json(),
      session: sessionCookieOf(withCookie.headers.getSetCookie()),
    }).toEqual({
      status: 400,
      body: { error: 'invalid_request', message: 'This login has expired or was already completed; start it again' },
      session: '',
    });
    // The code was never redeemed again, and the first session is the one the browser still holds.
    expect(idp.seen).toEqual([]);
    expect(browser.cookie(server.url, 'authgate.sid')).toBe(session);
    expect((await whoIs(`authgate.sid=${session ?? ''}`)).me.status).toBe(200);
  });

  it('carried into another browser, or with a forged state, is 400 invalid_request and logs that browser in as nobody (login CSRF)', async () => {
    const attacker = new Browser();
    const victim = new Browser();
    const start = await attacker.go(atGateway('/api/auth/login'));
    const attackersCallback = await signInFrom(attacker, start, idp.url, 'admin');
    // The victim has a login of its own in progress: its login cookie is there, but holds another state.
    await victim.go(atGateway('/api/auth/login'));
    const forged = new URL(attackersCallback);
    forged.searchParams.set('state', 'forged-state');
    idp.clearSeen();
    for (const url of [attackersCallback, forged]) {
      const res = await victim.go(atGateway(url));
      expect({
        status: res.status,
        body: await res.json(),
        session: sessionCookieOf(res.headers.getSetCookie()),
      }).toEqual({ status: 400, body: NOT_THIS_BROWSER, session: '' });
    }
    expect(await (await victim.go(atGateway('/api/auth/session'))).json()).toEqual({ authenticated: false });
    expect(idp.seen).toEqual([]);
  });
});

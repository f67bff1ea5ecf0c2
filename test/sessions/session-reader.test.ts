import { describe, expect, it } from '@jest/globals';
import { sign } from 'cookie-signature';
import express, { type Request } from 'express';
import request from 'supertest';
import { newAuthState, SessionAuth, withAuth, type AuthState } from '../../src/sessions/auth-state.js';
import { MemorySessionStore } from '../../src/sessions/memory-session-store.js';
import { cookieSigningSecret } from '../../src/sessions/secret-keys.js';
import { SessionCodec } from '../../src/sessions/session-codec.js';
import { sessionCookie } from '../../src/sessions/session-cookie.js';
import { expressSession } from '../../src/sessions/session-middleware.js';
import { SessionReader } from '../../src/sessions/session-reader.js';
import { systemClock } from '../../src/support/clock.js';

// SessionReader reads, without express-session, the cookie express-session signs and the session it stores. These
// pin what it relies on, so that an express-session or cookie-signature release that changes either fails here.

const SECRET = 'a-session-secret-of-at-least-thirty-two-characters';
const ISSUER = 'http://sso.example.test/realms/demo';
const USER = {
  sub: 'f3a1c2d4',
  username: 'alice',
  email: 'alice@example.test',
  name: 'Alice Liddell',
  roles: ['user'],
};
const TOKENS = {
  access_token: 'eyJ.access.token',
  refresh_token: 'eyJ.refresh.token',
  expires_in: 300,
  refresh_expires_in: 1800,
  token_type: 'Bearer' as const,
};

/** A session started by express-session as a login starts one; its id and the cookie the browser got. */
async function loggedIn() {
  const codec = new SessionCodec(SECRET);
  const store = new MemorySessionStore({ codec, clock: systemClock });
  const cookie = sessionCookie('http://localhost:3000');
  const attach = expressSession(store, cookie, SECRET);
  const app = express();
  app.post('/login', async (req, res) => {
    await attach(req, res);
    req.session.auth = new SessionAuth(newAuthState(TOKENS, USER, Date.now(), { maxAgeMs: 3600_000 }, ISSUER));
    await new Promise<void>((resolve, reject) => req.session.save((err: unknown) => (err ? reject(err) : resolve())));
    res.json({ id: req.sessionID });
  });
  const res = await request(app).post('/login');
  const header = ((res.headers['set-cookie'] as unknown as string[])[0] ?? '').split(';')[0] ?? '';
  return { store, cookie, id: (res.body as { id: string }).id, header };
}

function withCookie(header: string): Request {
  return { headers: { cookie: header } } as Request;
}

describe('the cookie express-session sets', () => {
  it('is "s:" and the session id signed as cookie-signature signs it, with the key derived from SESSION_SECRET', async () => {
    const { id, header, cookie } = await loggedIn();
    const [name, value] = header.split('=');
    expect(name).toBe(cookie.name);
    expect(decodeURIComponent(value ?? '')).toBe(`s:${sign(id, cookieSigningSecret(SECRET))}`);
  });
});

describe.each([
  ['remembering the cookies it has checked', true],
  ['remembering nothing', false],
])('SessionReader, %s', (_name, remember) => {
  it('reads the session express-session stored, under the id its cookie signs', async () => {
    const { store, cookie, id, header } = await loggedIn();
    const reader = new SessionReader(store, cookie.name, SECRET, { remember });
    for (let i = 0; i < 2; i += 1) {
      const found = await reader.read(withCookie(header));
      expect(found?.id).toBe(id);
      expect(found?.summary).toEqual(expect.objectContaining({ user: USER, version: 1 }));
      expect(found?.summary).not.toHaveProperty('accessToken');
      expect(found?.state()).toEqual(
        expect.objectContaining({ accessToken: TOKENS.access_token, refreshToken: TOKENS.refresh_token }),
      );
    }
  });

  it('finds no session behind a cookie signed under another secret, or altered, whatever it read before', async () => {
    const { store, cookie, id, header } = await loggedIn();
    const reader = new SessionReader(store, cookie.name, SECRET, { remember });
    await reader.read(withCookie(header));
    const foreign = `${cookie.name}=${encodeURIComponent(`s:${sign(id, cookieSigningSecret('another-secret-of-at-least-thirty-two-chars'))}`)}`;
    const altered = header.replace(/.$/, (last) => (last === 'A' ? 'B' : 'A'));
    for (const forged of [foreign, altered, `${cookie.name}=${id}`])
      expect(await reader.read(withCookie(forged))).toBeUndefined();
  });

  it('reads the store every time: a session removed or refreshed elsewhere is seen at once', async () => {
    const { store, cookie, id, header } = await loggedIn();
    const reader = new SessionReader(store, cookie.name, SECRET, { remember });
    const before = await reader.read(withCookie(header));
    const state = before?.state() as AuthState;
    const refreshed: AuthState = {
      ...state,
      version: 2,
      accessToken: 'eyJ.newer.token',
      accessExpiresAt: state.accessExpiresAt + 60_000,
    };
    const stored = await store.read(id);
    expect(stored && (await store.replaceIfVersion(id, 1, withAuth(stored, refreshed)))).toBe('written');
    const after = await reader.read(withCookie(header));
    expect(after?.summary).toEqual(expect.objectContaining({ version: 2, accessExpiresAt: refreshed.accessExpiresAt }));
    expect(after?.state()?.accessToken).toBe('eyJ.newer.token');
    await store.remove(id);
    expect(await reader.read(withCookie(header))).toBeUndefined();
  });

  it('finds no session made with another provider: after the gateway is pointed at a new issuer, its user logs in again', async () => {
    const { store, cookie, id, header } = await loggedIn();
    expect(
      (await new SessionReader(store, cookie.name, SECRET, { remember, issuer: ISSUER }).read(withCookie(header)))?.id,
    ).toBe(id);
    const swapped = new SessionReader(store, cookie.name, SECRET, { remember, issuer: 'https://id.example.test/' });
    expect(await swapped.read(withCookie(header))).toBeUndefined();
  });

  it('keeps a session stored before sessions named their provider', async () => {
    const { store, cookie, id, header } = await loggedIn();
    const stored = await store.read(id);
    const { issuer: _issuer, ...older } = authOfStored(stored);
    expect(stored && (await store.replaceIfVersion(id, 1, withAuth(stored, { ...older, version: 2 })))).toBe('written');
    const reader = new SessionReader(store, cookie.name, SECRET, { remember, issuer: 'https://id.example.test/' });
    expect((await reader.read(withCookie(header)))?.id).toBe(id);
  });
});

function authOfStored(stored: unknown): AuthState {
  const state = (stored as { auth?: SessionAuth } | undefined)?.auth?.state;
  if (!state) throw new Error('no session state stored');
  return state;
}

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DevIdp } from '../../src/dev-idp/index.js';
import {
  CLIENT,
  claims,
  login,
  logout,
  oauthError,
  refresh,
  startTestIdp,
  MovableClock,
  token,
  withOtherClient,
} from './helpers.js';

// The demo realm rotates refresh tokens: revokeRefreshToken true, refreshTokenMaxReuse 0.
let idp: DevIdp;
let clock: MovableClock;
beforeAll(async () => {
  clock = new MovableClock();
  idp = await startTestIdp({ now: clock.now, realm: withOtherClient });
});
afterAll(async () => {
  await idp.close();
});

const invalidGrant = (description: string) => ({ status: 400, body: oauthError('invalid_grant', description) });
const answer = (res: { status: number; body: unknown }) => ({ status: res.status, body: res.body });

describe('a successful refresh', () => {
  it('issues new tokens for the same session, restarts the idle timer, and keeps the scope', async () => {
    const first = await login(idp, 'alice', 'alice-password', { scope: 'openid' });
    clock.advanceSeconds(600);
    const next = await refresh(idp, first.body?.refresh_token);
    expect(next.status).toBe(200);
    expect(next.body).toEqual({
      access_token: expect.any(String),
      expires_in: 300,
      refresh_expires_in: 1800,
      refresh_token: expect.any(String),
      token_type: 'Bearer',
      id_token: expect.any(String),
      'not-before-policy': 0,
      session_state: first.body?.session_state,
      scope: 'openid profile email',
    });
    expect(next.body?.refresh_token).not.toBe(first.body?.refresh_token);
    expect(claims(next.body?.access_token)).toMatchObject({
      sid: first.body?.session_state,
      preferred_username: 'alice',
    });
  });

  it('never lets a refresh token outlive the session maximum (ssoSessionMaxLifespan)', async () => {
    const short = await startTestIdp({
      now: clock.now,
      signingKey: idp.signingKey,
      realm: (r) => ({ ...r, accessTokenLifespan: 60, ssoSessionMaxLifespan: 600 }),
    });
    try {
      clock.alignToSecond();
      const first = await login(short, 'alice', 'alice-password');
      expect({ expires_in: first.body?.expires_in, refresh_expires_in: first.body?.refresh_expires_in }).toEqual({
        expires_in: 60,
        refresh_expires_in: 600,
      });
      clock.advanceSeconds(570);
      const late = await refresh(short, first.body?.refresh_token);
      expect({ expires_in: late.body?.expires_in, refresh_expires_in: late.body?.refresh_expires_in }).toEqual({
        expires_in: 30,
        refresh_expires_in: 30,
      });
      clock.advanceSeconds(31);
      expect(answer(await refresh(short, late.body?.refresh_token))).toEqual(invalidGrant('Token is not active'));
    } finally {
      await short.close();
    }
  });

  it('may narrow the scope, never widen it', async () => {
    const first = await login(idp, 'alice', 'alice-password', { scope: 'openid phone' });
    const narrower = await refresh(idp, first.body?.refresh_token, { scope: 'openid' });
    expect({ status: narrower.status, scope: narrower.body?.scope }).toEqual({
      status: 200,
      scope: 'openid profile email',
    });
    const wider = await refresh(idp, narrower.body?.refresh_token, { scope: 'openid address' });
    expect(answer(wider)).toEqual({ status: 400, body: oauthError('invalid_scope', 'Invalid scopes: openid address') });
  });
});

describe('a refused refresh', () => {
  it('answers a missing refresh token with invalid_request', async () => {
    expect(answer(await token(idp, { grant_type: 'refresh_token', ...CLIENT }))).toEqual({
      status: 400,
      body: oauthError('invalid_request', 'No refresh token'),
    });
  });

  it('calls garbage, an access token and a token of another realm "Invalid refresh token"', async () => {
    const other = await startTestIdp();
    try {
      const foreign = await login(other, 'alice', 'alice-password');
      const mine = await login(idp, 'alice', 'alice-password');
      for (const candidate of ['abc', 'a.b.c', mine.body?.access_token, foreign.body?.refresh_token]) {
        expect(answer(await refresh(idp, candidate))).toEqual(invalidGrant('Invalid refresh token'));
      }
    } finally {
      await other.close();
    }
  });

  it("refuses another client's refresh token", async () => {
    const theirs = await token(idp, {
      grant_type: 'password',
      client_id: 'other',
      client_secret: 'other-secret',
      username: 'alice',
      password: 'alice-password',
    });
    expect(answer(await refresh(idp, theirs.body?.refresh_token))).toEqual(
      invalidGrant("Invalid refresh token. Token client and authorized client don't match"),
    );
  });

  it('calls an expired refresh token "Token is not active": the idle timeout passed', async () => {
    const first = await login(idp, 'alice', 'alice-password');
    clock.advanceSeconds(1801);
    expect(answer(await refresh(idp, first.body?.refresh_token))).toEqual(invalidGrant('Token is not active'));
  });

  it('answers "Session not active" once the session was logged out', async () => {
    const first = await login(idp, 'alice', 'alice-password');
    expect((await logout(idp, first.body?.refresh_token)).status).toBe(204);
    expect(answer(await refresh(idp, first.body?.refresh_token))).toEqual(invalidGrant('Session not active'));
  });

  it('answers an issuer mismatch when the same keys serve another URL', async () => {
    const first = await login(idp, 'alice', 'alice-password');
    const moved = await startTestIdp({ signingKey: idp.signingKey, publicHost: 'localhost' });
    try {
      const res = await fetch(
        `${moved.url.replace('localhost', '127.0.0.1')}/realms/demo/protocol/openid-connect/token`,
        {
          method: 'POST',
          body: new URLSearchParams({
            grant_type: 'refresh_token',
            ...CLIENT,
            refresh_token: String(first.body?.refresh_token),
          }),
        },
      );
      expect({ status: res.status, body: await res.json() }).toEqual(
        invalidGrant(`Invalid token issuer. Expected '${moved.issuer}', but was '${idp.issuer}'`),
      );
    } finally {
      await moved.close();
    }
  });
});

describe('refresh token reuse', () => {
  it('refuses a second use, then every token of the detached client session', async () => {
    const first = await login(idp, 'alice', 'alice-password');
    const second = await refresh(idp, first.body?.refresh_token);
    expect(second.status).toBe(200);
    expect(answer(await refresh(idp, first.body?.refresh_token))).toEqual(
      invalidGrant('Maximum allowed refresh token reuse exceeded'),
    );
    expect(answer(await refresh(idp, second.body?.refresh_token))).toEqual(
      invalidGrant("Session doesn't have required client"),
    );
  });

  it('calls an older token of the chain stale once a newer one was used, and detaches the session too', async () => {
    const first = await login(idp, 'alice', 'alice-password');
    const second = await refresh(idp, first.body?.refresh_token);
    const third = await refresh(idp, second.body?.refresh_token);
    expect(answer(await refresh(idp, first.body?.refresh_token))).toEqual(invalidGrant('Stale token'));
    expect(answer(await refresh(idp, third.body?.refresh_token))).toEqual(
      invalidGrant("Session doesn't have required client"),
    );
  });

  it('allows refreshTokenMaxReuse + 1 uses of one token', async () => {
    const lenient = await startTestIdp({
      now: clock.now,
      signingKey: idp.signingKey,
      realm: (r) => ({ ...r, refreshTokenMaxReuse: 1 }),
    });
    try {
      const first = await login(lenient, 'alice', 'alice-password');
      expect((await refresh(lenient, first.body?.refresh_token)).status).toBe(200);
      expect((await refresh(lenient, first.body?.refresh_token)).status).toBe(200);
      expect(answer(await refresh(lenient, first.body?.refresh_token))).toEqual(
        invalidGrant('Maximum allowed refresh token reuse exceeded'),
      );
    } finally {
      await lenient.close();
    }
  });

  it("keeps old refresh tokens valid until they expire when the realm does not revoke them (Keycloak's default)", async () => {
    const keeping = await startTestIdp({
      now: clock.now,
      signingKey: idp.signingKey,
      realm: (r) => ({ ...r, revokeRefreshToken: false }),
    });
    try {
      const first = await login(keeping, 'alice', 'alice-password');
      const second = await refresh(keeping, first.body?.refresh_token);
      for (const candidate of [first, second, first])
        expect((await refresh(keeping, candidate.body?.refresh_token)).status).toBe(200);
    } finally {
      await keeping.close();
    }
  });
});

describe('offline tokens', () => {
  it('refresh with typ Offline, outlive the SSO idle timeout, and end with a logout', async () => {
    const first = await login(idp, 'alice', 'alice-password', { scope: 'offline_access' });
    clock.advanceSeconds(7200);
    const next = await refresh(idp, first.body?.refresh_token);
    expect({
      status: next.status,
      typ: claims(next.body?.refresh_token).typ,
      refresh_expires_in: next.body?.refresh_expires_in,
    }).toEqual({ status: 200, typ: 'Offline', refresh_expires_in: 0 });
    expect((await logout(idp, next.body?.refresh_token)).status).toBe(204);
    expect(answer(await refresh(idp, next.body?.refresh_token))).toEqual(
      invalidGrant('Offline user session not found'),
    );
  });
});

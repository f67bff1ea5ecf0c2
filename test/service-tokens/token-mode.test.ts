import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { DevIdp } from '../../src/dev-idp/index.js';
import type { Fetch } from '../../src/idp/provider-fetch.js';
import { MovableClock } from '../support/clock.js';
import { buildTestGateway, type TestGateway } from '../support/gateway.js';
import { startTestIdp } from '../support/idp.js';
import { closedPort } from '../support/ports.js';
import { loginThrough } from '../support/tokens.js';
import {
  EXPIRED,
  FORBIDDEN,
  INVALID,
  ISO,
  TOKEN_SHAPE,
  createToken,
  endAtProvider,
  exchange,
  offlineTokenOf,
  refreshGrants,
} from './helpers.js';

const DAY_MS = 24 * 3600 * 1000;

let idp: DevIdp;
let gateway: TestGateway;
let clock: MovableClock;
let providerDown = false;

beforeAll(async () => {
  idp = await startTestIdp();
  const closed = `http://127.0.0.1:${await closedPort()}`;
  clock = new MovableClock();
  // The provider "goes down" for the gateway alone: its calls go to a closed port while the switch is on.
  const wrapFetch =
    (network: Fetch): Fetch =>
    (input, init) =>
      network(providerDown ? String(input).replace(idp.url, closed) : input, init);
  gateway = buildTestGateway({ idpUrl: idp.url, clock, wrapFetch });
});
afterAll(async () => {
  await idp?.close();
});
beforeEach(() => {
  providerDown = false;
  idp.clearSeen();
  // Each test starts at real time: a gateway clock far ahead would find the provider's new tokens expired.
  clock.advance(Date.now() - clock.now());
});

describe('POST /api/auth/service-tokens', () => {
  it('creates a token for so many days, shown once, with its card', async () => {
    const before = clock.now();
    const res = await request(gateway.app)
      .post('/api/auth/service-tokens')
      .send({ username: 'alice', password: 'alice-password', name: 'nightly report', days: 30 });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      message: 'Service token created',
      token: expect.stringMatching(TOKEN_SHAPE),
      service_token: {
        id: expect.stringMatching(/^[0-9a-f]{16}$/),
        name: 'nightly report',
        owner: 'alice',
        created_at: expect.stringMatching(ISO),
        expires_at: expect.stringMatching(ISO),
        days_left: 30,
        last_used_at: null,
      },
    });
    expect(res.body.token).toContain(`agst_${res.body.service_token.id}_`);
    expect(Date.parse(res.body.service_token.expires_at) - before).toBeGreaterThanOrEqual(30 * DAY_MS);
    expect(res.headers['cache-control']).toBe('no-store');
    // The password was checked at the provider with the offline_access scope.
    expect(idp.seen.filter((s) => s.grantType === 'password')).toEqual([
      expect.objectContaining({ endpoint: 'token', grantType: 'password', status: 200 }),
    ]);
  });

  it('creates an eternal token, and takes a form as login does', async () => {
    const res = await request(gateway.app)
      .post('/api/auth/service-tokens')
      .type('form')
      .send({ username: 'alice', password: 'alice-password', name: 'forever bot', eternal: 'true' });
    expect(res.status).toBe(201);
    expect(res.body.service_token).toEqual(
      expect.objectContaining({ name: 'forever bot', expires_at: null, days_left: null }),
    );
  });

  it.each([
    [{ days: 0 }, [{ field: 'days', problem: 'must be at least 1' }]],
    [{ days: 3651 }, [{ field: 'days', problem: 'must be at most 3650' }]],
    [{ days: 1.5 }, [{ field: 'days', problem: 'must be a whole number' }]],
    [
      { days: 30, eternal: true },
      [{ field: 'days', problem: 'give exactly one of days (1 to 3650) and eternal: true' }],
    ],
    [{ days: undefined }, [{ field: 'days', problem: 'give exactly one of days (1 to 3650) and eternal: true' }]],
    [{ days: undefined, eternal: false }, [{ field: 'eternal', problem: 'must be true when present' }]],
    [{ name: '' }, [{ field: 'name', problem: 'is required' }]],
  ])('refuses the lifetime or name %j with 400 invalid_request naming the field', async (fields, details) => {
    const res = await request(gateway.app)
      .post('/api/auth/service-tokens')
      .send({ username: 'alice', password: 'alice-password', name: 'bot', days: 30, ...fields });
    expect({ status: res.status, body: res.body }).toEqual({
      status: 400,
      body: { error: 'invalid_request', message: 'Some fields are invalid', details },
    });
    expect(idp.seen.filter((s) => s.grantType === 'password')).toEqual([]);
  });

  it('answers credentials_required without a username or password, and 401 for a wrong password', async () => {
    const missing = await request(gateway.app).post('/api/auth/service-tokens').send({ name: 'bot', days: 1 });
    expect({ status: missing.status, body: missing.body }).toEqual({
      status: 400,
      body: { error: 'credentials_required', message: 'Username and password are required' },
    });
    const wrong = await request(gateway.app)
      .post('/api/auth/service-tokens')
      .send({ username: 'admin', password: 'not-it', name: 'bot', days: 1 });
    expect({ status: wrong.status, body: wrong.body }).toEqual({
      status: 401,
      body: { error: 'invalid_credentials', message: 'Invalid username or password' },
    });
  });
});

describe('POST /api/auth/service-token/refresh', () => {
  it('answers from the access token it holds, then refreshes once it runs short, keeping the rotated offline token', async () => {
    const { token, id } = await createToken(gateway.app);
    idp.clearSeen();
    const first = await exchange(gateway.app, token);
    expect({ status: first.status, body: first.body }).toEqual({
      status: 200,
      body: { access_token: expect.stringMatching(/^eyJ/), expires_in: expect.any(Number), token_type: 'Bearer' },
    });
    expect(first.body.expires_in).toBeGreaterThan(290);
    expect(refreshGrants(idp)).toBe(0);

    const offlineBefore = await offlineTokenOf(gateway, id);
    clock.advanceSeconds(250); // 50 s left of the 300: less than the minute a bot is promised
    const second = await exchange(gateway.app, token);
    expect(second.status).toBe(200);
    expect(second.body.access_token).not.toBe(first.body.access_token);
    expect(second.body.expires_in).toBe(300);
    expect(refreshGrants(idp)).toBe(1);
    // The demo realm rotates refresh tokens and refuses reuse: the next refresh works only with the rotated one.
    expect(await offlineTokenOf(gateway, id)).not.toBe(offlineBefore);
    clock.advanceSeconds(299);
    expect((await exchange(gateway.app, token)).status).toBe(200);
    expect(refreshGrants(idp)).toBe(2);
  });

  it('refuses a malformed, unknown or wrong-secret token with one answer', async () => {
    const { token } = await createToken(gateway.app);
    const wrongSecret = `${token.slice(0, -4)}AAAA`;
    const unknown = `agst_0123456789abcdef_${token.slice(-43)}`;
    for (const presented of ['nonsense', 'agst_', unknown, wrongSecret]) {
      const res = await exchange(gateway.app, presented);
      expect({ presented, status: res.status, body: res.body }).toEqual({ presented, status: 401, body: INVALID });
    }
    const none = await request(gateway.app).post('/api/auth/service-token/refresh');
    expect({ status: none.status, body: none.body }).toEqual({ status: 401, body: INVALID });
  });

  it('answers service_token_expired past its lifetime', async () => {
    const { token } = await createToken(gateway.app, { days: 1 });
    clock.advance(DAY_MS + 1000);
    const res = await exchange(gateway.app, token);
    expect({ status: res.status, body: res.body }).toEqual({ status: 401, body: EXPIRED });
    clock.advance(-(DAY_MS + 1000));
  });

  it('answers 503 when the provider is down, never 401, and the token still works afterwards', async () => {
    const { token } = await createToken(gateway.app);
    clock.advanceSeconds(280);
    providerDown = true;
    const down = await exchange(gateway.app, token);
    expect({ status: down.status, body: down.body }).toEqual({
      status: 503,
      body: { error: 'idp_unavailable', message: 'The identity provider cannot be reached' },
    });
    providerDown = false;
    expect((await exchange(gateway.app, token)).status).toBe(200);
  });

  it('answers service_token_invalid once the offline session has ended at the provider, and forgets the token', async () => {
    const { token, id } = await createToken(gateway.app, { name: 'ended elsewhere' });
    await endAtProvider(idp, await offlineTokenOf(gateway, id));
    clock.advanceSeconds(300);
    const res = await exchange(gateway.app, token);
    expect({ status: res.status, body: res.body }).toEqual({ status: 401, body: INVALID });
    const list = await request(gateway.app)
      .get('/api/auth/service-tokens')
      .set('Authorization', `Bearer ${(await loginThrough(gateway.app)).access_token}`);
    expect(list.body.service_tokens.map((t: { id: string }) => t.id)).not.toContain(id);
  });

  it('exchanges a client’s own credentials (Basic) for its client-credentials access token', async () => {
    const basic = (user: string, secret: string) => `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;
    const ok = await request(gateway.app)
      .post('/api/auth/service-token/refresh')
      .set('Authorization', basic('reporting-bot', 'reporting-bot-dev-secret'));
    expect({ status: ok.status, body: ok.body }).toEqual({
      status: 200,
      body: { access_token: expect.stringMatching(/^eyJ/), expires_in: 300, token_type: 'Bearer' },
    });
    const payload = JSON.parse(Buffer.from(ok.body.access_token.split('.')[1], 'base64url').toString()) as {
      azp: string;
    };
    expect(payload.azp).toBe('reporting-bot');
    const wrong = await request(gateway.app)
      .post('/api/auth/service-token/refresh')
      .set('Authorization', basic('reporting-bot', 'not-the-secret'));
    expect({ status: wrong.status, body: wrong.body }).toEqual({ status: 401, body: INVALID });
  });
});

describe('inspect, list and revoke', () => {
  it('shows the presented token, with its last use', async () => {
    const { token, id } = await createToken(gateway.app, { name: 'inspected' });
    await exchange(gateway.app, token);
    const res = await request(gateway.app)
      .get('/api/auth/service-tokens/current')
      .set('Authorization', `Bearer ${token}`);
    expect({ status: res.status, body: res.body }).toEqual({
      status: 200,
      body: {
        service_token: {
          id,
          name: 'inspected',
          owner: 'alice',
          created_at: expect.stringMatching(ISO),
          expires_at: expect.stringMatching(ISO),
          // Whole days, rounded down: a moment after creation, 29 and some.
          days_left: 29,
          last_used_at: expect.stringMatching(ISO),
        },
      },
    });
  });

  it("lists the caller's tokens, by access token or by service token, and never a secret", async () => {
    const mine = await createToken(gateway.app, { username: 'admin', password: 'admin-password', name: 'c1' });
    const other = await createToken(gateway.app, {
      username: 'admin',
      password: 'admin-password',
      eternal: true,
      days: undefined,
      name: 'c2',
    });
    await createToken(gateway.app, { name: 'not admin' });
    const viaJwt = await request(gateway.app)
      .get('/api/auth/service-tokens')
      .set('Authorization', `Bearer ${(await loginThrough(gateway.app, 'admin')).access_token}`);
    const card = (id: string, name: string, eternal: boolean) => ({
      id,
      name,
      owner: 'admin',
      created_at: expect.stringMatching(ISO),
      expires_at: eternal ? null : expect.stringMatching(ISO),
      days_left: eternal ? null : 29,
      last_used_at: null,
    });
    expect({ status: viaJwt.status, body: viaJwt.body }).toEqual({
      status: 200,
      body: { service_tokens: [card(mine.id, 'c1', false), card(other.id, 'c2', true)] },
    });
    const viaToken = await request(gateway.app)
      .get('/api/auth/service-tokens')
      .set('Authorization', `Bearer ${mine.token}`);
    expect(viaToken.body).toEqual(viaJwt.body);
    const text = JSON.stringify(viaJwt.body);
    for (const { token } of [mine, other]) expect(text).not.toContain(token.slice(-43));
  });

  it('needs a caller: no token is 401 unauthenticated', async () => {
    const res = await request(gateway.app).get('/api/auth/service-tokens');
    expect({ status: res.status, body: res.body }).toEqual({
      status: 401,
      body: { error: 'unauthenticated', message: 'Authentication is required' },
    });
  });

  it('revokes: the offline session ends at the provider and the next exchange is 401', async () => {
    const { token, id } = await createToken(gateway.app, { name: 'to revoke' });
    const offline = await offlineTokenOf(gateway, id);
    idp.clearSeen();
    const res = await request(gateway.app)
      .delete(`/api/auth/service-tokens/${id}`)
      .set('Authorization', `Bearer ${(await loginThrough(gateway.app)).access_token}`);
    expect({ status: res.status, body: res.body }).toEqual({ status: 200, body: { message: 'Service token revoked' } });
    expect(idp.seen).toContainEqual(expect.objectContaining({ endpoint: 'logout', status: 204 }));
    const next = await exchange(gateway.app, token);
    expect({ status: next.status, body: next.body }).toEqual({ status: 401, body: INVALID });
    // At the provider the offline token is refused too.
    const refused = await fetch(`${idp.issuer}/protocol/openid-connect/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: offline,
        client_id: 'authgate',
        client_secret: 'authgate-dev-secret',
      }),
    });
    expect(refused.status).toBe(400);
  });

  it("refuses to revoke another owner's token or an unknown id with 403 forbidden, the token untouched", async () => {
    const { token, id } = await createToken(gateway.app, { name: 'alice keeps it' });
    const other = `Bearer ${(await loginThrough(gateway.app, 'admin')).access_token}`;
    for (const target of [id, '0123456789abcdef']) {
      const res = await request(gateway.app).delete(`/api/auth/service-tokens/${target}`).set('Authorization', other);
      expect({ status: res.status, body: res.body }).toEqual({ status: 403, body: FORBIDDEN });
    }
    expect((await exchange(gateway.app, token)).status).toBe(200);
  });

  it('a revoked token can revoke nothing more and inspect answers 401', async () => {
    const { token, id } = await createToken(gateway.app, { name: 'self-revoking' });
    const self = await request(gateway.app)
      .delete(`/api/auth/service-tokens/${id}`)
      .set('Authorization', `Bearer ${token}`);
    expect(self.status).toBe(200);
    const inspect = await request(gateway.app)
      .get('/api/auth/service-tokens/current')
      .set('Authorization', `Bearer ${token}`);
    expect({ status: inspect.status, body: inspect.body }).toEqual({ status: 401, body: INVALID });
  });
});

describe('what the logs say', () => {
  it('never holds a service token, its secret or the offline token behind it', async () => {
    const { token, id } = await createToken(gateway.app, { name: 'canary' });
    const offline = await offlineTokenOf(gateway, id);
    await exchange(gateway.app, token);
    await exchange(gateway.app, `${token.slice(0, -1)}x`);
    await request(gateway.app).get('/api/auth/service-tokens/current').set('Authorization', `Bearer ${token}`);
    await request(gateway.app).delete(`/api/auth/service-tokens/${id}`).set('Authorization', `Bearer ${token}`);
    const text = gateway.logs.text();
    expect(text).toContain(id);
    for (const secret of [token.slice(-43), offline]) expect(text).not.toContain(secret);
  });
});

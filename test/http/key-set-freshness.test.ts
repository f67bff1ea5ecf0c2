import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { DevIdp } from '../../src/dev-idp/index.js';
import { MovableClock } from '../support/clock.js';
import { buildTestGateway, type TestGateway } from '../support/gateway.js';
import { startTestIdp } from '../support/idp.js';
import { KeySetDetour } from '../support/rotating-realm.js';
import { loginThrough } from '../support/tokens.js';

// Token-mode /me keeps the realm's key set no older than 30 s, without making requests wait on a provider that does
// not answer and without a fetch per request. Hour-long access tokens, so that the clock can move by minutes.
let idp: DevIdp;
let detour: KeySetDetour;
const clock = new MovableClock();
beforeAll(async () => {
  [idp, detour] = await Promise.all([
    startTestIdp({ now: clock.now, realm: (r) => ({ ...r, accessTokenLifespan: 3600 }) }),
    KeySetDetour.start(),
  ]);
});
afterAll(async () => {
  await Promise.all([idp.close(), detour.close()]);
});

const ALICE = { user: expect.objectContaining({ username: 'alice' }) };

function gateway(): TestGateway {
  return buildTestGateway({ idpUrl: idp.url, clock, wrapFetch: detour.wrap, env: { IDP_TIMEOUT_MS: '500' } });
}

async function me(g: TestGateway, accessToken: string): Promise<{ status: number; body: unknown; ms: number }> {
  const started = performance.now();
  const res = await request(g.app).get('/api/auth/me').set('Authorization', `Bearer ${accessToken}`);
  return { status: res.status, body: res.body, ms: performance.now() - started };
}

describe('the key set behind token-mode /me', () => {
  it('older than 30 s, it is fetched once for 20 requests at once, which all wait for it and answer 200', async () => {
    const g = gateway();
    const { access_token } = await loginThrough(g.app);
    const before = detour.fetches;
    clock.advanceSeconds(31);
    const answers = await Promise.all(Array.from({ length: 20 }, () => me(g, access_token)));
    expect(answers.map(({ status, body }) => ({ status, body }))).toEqual(
      Array.from({ length: 20 }, () => ({ status: 200, body: ALICE })),
    );
    expect(detour.fetches - before).toBe(1);
  });

  it('when its fetch hangs, one request waits up to IDP_TIMEOUT_MS; then the last key set serves at once, retried at most every 5 s', async () => {
    const g = gateway();
    const { access_token } = await loginThrough(g.app);
    await detour.on('no answer in time', '');
    try {
      clock.advanceSeconds(31);
      const first = await me(g, access_token);
      expect({ status: first.status, body: first.body }).toEqual({ status: 200, body: ALICE });
      expect(first.ms).toBeGreaterThanOrEqual(450);
      const fetched = detour.fetches;
      const next = await Promise.all(Array.from({ length: 10 }, () => me(g, access_token)));
      expect(next.map(({ status }) => status)).toEqual(Array.from({ length: 10 }, () => 200));
      expect(Math.max(...next.map(({ ms }) => ms))).toBeLessThan(400);
      expect(detour.fetches).toBe(fetched);
      clock.advanceSeconds(6);
      const later = await Promise.all(Array.from({ length: 10 }, () => me(g, access_token)));
      expect(later.map(({ status }) => status)).toEqual(Array.from({ length: 10 }, () => 200));
      expect(Math.max(...later.map(({ ms }) => ms))).toBeLessThan(400);
      expect(detour.fetches).toBe(fetched + 1);
    } finally {
      detour.off();
    }
  });

  it('a key set the provider has not confirmed for 10 minutes is not used: 503 idp_unavailable, never 401; 200 as soon as the provider answers', async () => {
    const g = gateway();
    const { access_token } = await loginThrough(g.app);
    await detour.on('a refused connection', '');
    clock.advanceSeconds(10 * 60 + 1);
    try {
      const down = await me(g, access_token);
      expect({ status: down.status, body: down.body }).toEqual({
        status: 503,
        body: { error: 'idp_unavailable', message: 'The identity provider cannot be reached' },
      });
    } finally {
      detour.off();
    }
    clock.advanceSeconds(6);
    const back = await me(g, access_token);
    expect({ status: back.status, body: back.body }).toEqual({ status: 200, body: ALICE });
  });
});

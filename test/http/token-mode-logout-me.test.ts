import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import request from 'supertest';
import type { Fetch } from '../../src/idp/provider-fetch.js';
import type { TestGateway } from '../support/gateway.js';
import { MovableClock } from '../support/clock.js';
import {
  providerSuite,
  providerUnderTest,
  whereProvider,
  type ProviderUnderTest,
} from '../support/provider-under-test.js';
import { loginThrough } from '../support/tokens.js';

// Runs on the embedded dev IdP (npm test) and on a real Keycloak (npm run test:keycloak): see provider-under-test.ts.
const describe = providerSuite('token-mode me and logout');
const UNAUTHENTICATED = { error: 'unauthenticated', message: 'Authentication is required' };

let provider: ProviderUnderTest;
let gateway: TestGateway;
let clock: MovableClock;
let keySetFetches = 0;

beforeAll(async () => {
  clock = new MovableClock();
  provider = await providerUnderTest({ clock, name: 'token-me-logout' });
  // Counts what reaches the provider's key set; the request itself goes through the gateway's own client untouched.
  const counting =
    (network: Fetch): Fetch =>
    (input, init) => {
      if (String(input).endsWith(provider.says.keySetPath)) keySetFetches += 1;
      return network(input, init);
    };
  gateway = provider.gateway({ wrapFetch: counting });
});

afterAll(async () => {
  await provider?.close();
});

const loginAlice = () => loginThrough(gateway.app);

function me(authorization?: string) {
  const req = request(gateway.app).get('/api/auth/me');
  return authorization === undefined ? req : req.set('Authorization', authorization);
}

/** The payload of a JWT with admin added to every place roles are read from. */
function forged(payload: string): string {
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
  return Buffer.from(JSON.stringify({ ...claims, realm_access: { roles: ['admin'] }, roles: ['admin'] })).toString(
    'base64url',
  );
}

describe('GET /api/auth/me', () => {
  it("answers alice's user card from her access token", async () => {
    const tokens = await loginAlice();
    const res = await me(`Bearer ${tokens.access_token}`);
    expect({ status: res.status, body: res.body }).toEqual({
      status: 200,
      body: {
        user: {
          sub: expect.any(String),
          username: 'alice',
          email: 'alice@example.test',
          name: 'Alice Liddell',
          roles: expect.arrayContaining(['user']),
        },
      },
    });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('verifies locally: many calls cause no provider call and no key-set fetch after the first', async () => {
    const tokens = await loginAlice();
    await me(`Bearer ${tokens.access_token}`);
    provider.clearSeen();
    const fetchesBefore = keySetFetches;
    for (let i = 0; i < 20; i += 1) expect((await me(`Bearer ${tokens.access_token}`)).status).toBe(200);
    expect(provider.seen).toEqual([]);
    expect(keySetFetches).toBe(fetchesBefore);
  });

  it.each([
    ['no Authorization header', undefined],
    ['an empty bearer', 'Bearer '],
    ['Basic credentials', 'Basic YWxpY2U6YWxpY2UtcGFzc3dvcmQ='],
    ['a garbage token', 'Bearer not.a.jwt'],
    ['a JSON string', 'Bearer {"sub":"alice"}'],
  ])('with %s answers 401 unauthenticated', async (_case, header) => {
    const res = await me(header);
    expect({ status: res.status, body: res.body }).toEqual({ status: 401, body: UNAUTHENTICATED });
  });

  it('a token whose signature was tampered with is 401 unauthenticated', async () => {
    const { access_token } = await loginAlice();
    const [header, payload, signature] = access_token.split('.');
    // An opaque token has no signature: the nearest tampering is a handle one character off.
    const tampered =
      signature === undefined
        ? `${access_token.slice(0, -1)}${access_token.endsWith('A') ? 'B' : 'A'}`
        : `${header}.${forged(payload ?? '')}.${signature}`;
    const res = await me(`Bearer ${tampered}`);
    expect({ status: res.status, body: res.body }).toEqual({ status: 401, body: UNAUTHENTICATED });
  });

  it('an ID token is not an access token: 401 unauthenticated', async () => {
    const { id_token } = await loginAlice();
    const res = await me(`Bearer ${id_token}`);
    expect({ status: res.status, body: res.body }).toEqual({ status: 401, body: UNAUTHENTICATED });
  });

  it('a token signed by another realm is 401 unauthenticated', async () => {
    const other = await providerUnderTest({ name: 'other-realm' });
    try {
      const { access_token } = await loginThrough(other.gateway().app);
      const answer = await me(`Bearer ${access_token}`);
      expect({ status: answer.status, body: answer.body }).toEqual({ status: 401, body: UNAUTHENTICATED });
    } finally {
      await other.close();
    }
  });

  it('an expired access token is 401 token_expired', async () => {
    const { access_token } = await loginAlice();
    clock.advance(301_000 + 5_000);
    try {
      const res = await me(`Bearer ${access_token}`);
      expect({ status: res.status, body: res.body }).toEqual({
        status: 401,
        body: { error: 'token_expired', message: 'The access token has expired' },
      });
    } finally {
      clock.advance(-306_000);
    }
  });

  it('a flood of tokens with unknown key ids causes at most one key-set refetch', async () => {
    const tokens = await loginAlice();
    await me(`Bearer ${tokens.access_token}`);
    const before = keySetFetches;
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        new SignJWT({ typ: 'Bearer', azp: 'authgate', preferred_username: 'mallory' })
          .setProtectedHeader({ alg: 'RS256', kid: `made-up-${i}` })
          .setIssuer(provider.issuer)
          .setSubject('mallory')
          .setIssuedAt()
          .setExpirationTime('5m')
          .sign(privateKey),
      ),
    );
    const answers = await Promise.all(forged.map((token) => me(`Bearer ${token}`)));
    expect(answers.map((res) => res.status)).toEqual(forged.map(() => 401));
    expect(keySetFetches - before).toBeLessThanOrEqual(1);
  });
});

describe('POST /api/auth/logout', () => {
  it('ends the provider session, refuses the access token from then on, and the refresh token no longer works', async () => {
    const tokens = await loginAlice();
    expect(await provider.sessionActive(tokens.refresh_token)).toBe(true);
    provider.clearSeen();
    const res = await request(gateway.app)
      .post('/api/auth/logout')
      .set('Authorization', `Bearer ${tokens.access_token}`)
      .send({ refresh_token: tokens.refresh_token });
    expect({ status: res.status, body: res.body }).toEqual({ status: 200, body: { message: 'Logged out' } });
    expect(provider.seen).toEqual([expect.objectContaining({ ...provider.says.logout, clientId: 'authgate' })]);
    expect(await provider.sessionActive(tokens.refresh_token)).toBe(false);

    const after = await me(`Bearer ${tokens.access_token}`);
    expect({ status: after.status, body: after.body }).toEqual({
      status: 401,
      body: { error: 'token_revoked', message: 'The access token has been revoked' },
    });
    const refreshed = await request(gateway.app)
      .post('/api/auth/refresh-token')
      .send({ refresh_token: tokens.refresh_token });
    expect({ status: refreshed.status, body: refreshed.body }).toEqual({
      status: 400,
      body: { error: 'invalid_grant', message: 'Invalid refresh token' },
    });
    expect(provider.seen.at(-1)).toMatchObject({ errorDescription: provider.says.refreshTokenTexts.sessionEnded });
    expect(gateway.logs.events('auth.logout')).toContainEqual(expect.objectContaining({ sub: expect.any(String) }));
  });

  it('is idempotent: logging out twice answers 200 both times', async () => {
    const tokens = await loginAlice();
    const first = await request(gateway.app).post('/api/auth/logout').send({ refresh_token: tokens.refresh_token });
    const second = await request(gateway.app).post('/api/auth/logout').send({ refresh_token: tokens.refresh_token });
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.body).toEqual({ message: 'Logged out' });
  });

  it('works with an expired access token and an expired refresh token (Keycloak does not check expiry on logout)', async () => {
    // Tokens of 1 and 2 seconds: Keycloak's own time has to pass, and a few seconds of it are affordable.
    const shortLived = await providerUnderTest({
      clock: new MovableClock(),
      realm: (r) => ({ ...r, accessTokenLifespan: 1, ssoSessionIdleTimeout: 2 }),
      name: 'short-tokens',
    });
    try {
      const gw = shortLived.gateway();
      const tokens = await loginThrough(gw.app);
      await shortLived.pass(3);
      shortLived.clearSeen();
      const res = await request(gw.app)
        .post('/api/auth/logout')
        .set('Authorization', `Bearer ${tokens.access_token}`)
        .send({ refresh_token: tokens.refresh_token });
      expect({ status: res.status, body: res.body }).toEqual({ status: 200, body: { message: 'Logged out' } });
      expect(shortLived.seen).toEqual([expect.objectContaining(shortLived.says.logout)]);
    } finally {
      await shortLived.close();
    }
  });

  it('without a refresh token answers 400 refresh_token_required', async () => {
    const res = await request(gateway.app).post('/api/auth/logout').send({});
    expect({ status: res.status, body: res.body }).toEqual({
      status: 400,
      body: { error: 'refresh_token_required', message: 'Refresh token is required' },
    });
  });

  const refusesUnknown = whereProvider(
    (says) => says.logoutRefusesUnknownToken,
    'logout is RFC 7009 revocation, which answers 200 for a token it does not know (section 2.2): the gateway learns nothing to refuse',
  );
  for (const [name, value] of [
    ['garbage', 'not-a-token'],
    ['an access token', 'ACCESS'],
  ]) {
    refusesUnknown.it(`with ${name} as the refresh token answers 400 invalid_grant`, async () => {
      const token = value === 'ACCESS' ? (await loginAlice()).access_token : value;
      const res = await request(gateway.app).post('/api/auth/logout').send({ refresh_token: token });
      expect({ status: res.status, body: res.body }).toEqual({
        status: 400,
        body: { error: 'invalid_grant', message: 'Invalid refresh token' },
      });
    });
  }
});

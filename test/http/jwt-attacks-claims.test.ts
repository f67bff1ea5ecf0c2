import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { b64url, decodeSegment, segment, segments, signRaw } from '../support/jwt-forge.js';
import { describeAfterwards, JwtTarget, TOKEN_EXPIRED, UNAUTHENTICATED } from '../support/jwt-target.js';
import { loginThrough, type IssuedTokens } from '../support/tokens.js';

// Token-mode GET /api/auth/me with the realm's own tokens misused, tokens the realm's key really signed but with a
// claim wrong, and tokens of the wrong shape. Every refusal is the contract's whole 401 body.
let t: JwtTarget;

beforeAll(async () => {
  t = await JwtTarget.start();
});

afterAll(async () => {
  await t.close();
});

describe("the realm's other tokens used as access tokens", () => {
  it('an ID token, a refresh token and an offline token are refused; the offline login is allowed by the realm', async () => {
    const login = await request(t.gateway.app)
      .post('/api/auth/login')
      .send({ username: 'alice', password: 'alice-password', scope: 'openid offline_access' });
    const offline = login.body as { token: IssuedTokens & { scope: string } };
    expect(offline.token.scope).toContain('offline_access');
    expect(decodeSegment(segments(offline.token.refresh_token).payload)).toMatchObject({ typ: 'Offline' });
    await t.expectAll([t.alice.id_token, t.alice.refresh_token, offline.token.refresh_token, offline.token.id_token]);
    expect((await t.bearer(offline.token.access_token)).status).toBe(200);
  });

  it('once they expire, the access token is 401 token_expired but the ID token stays 401 unauthenticated', async () => {
    const tokens = await loginThrough(t.gateway.app);
    t.clock.advance(306_000);
    try {
      await t.expectAll([tokens.access_token], TOKEN_EXPIRED);
      await t.expectAll([tokens.id_token]);
    } finally {
      t.clock.advance(-306_000);
    }
  });
});

describe("tokens the realm's key really signed, with a claim wrong or missing", () => {
  const refused: [string, () => Record<string, unknown>][] = [
    ['another issuer', () => ({ iss: `${t.idp.url}/realms/other` })],
    ['the issuer with a trailing slash', () => ({ iss: `${t.idp.issuer}/` })],
    ['the issuer in an array', () => ({ iss: [t.idp.issuer] })],
    ['no issuer', () => ({ iss: undefined })],
    ['another client as azp', () => ({ azp: 'account' })],
    ['azp in an array', () => ({ azp: ['authgate'] })],
    ['no azp', () => ({ azp: undefined })],
    ['typ ID', () => ({ typ: 'ID' })],
    ['typ Refresh', () => ({ typ: 'Refresh' })],
    ['typ bearer in lower case', () => ({ typ: 'bearer' })],
    ['no typ', () => ({ typ: undefined })],
    ['no exp', () => ({ exp: undefined })],
    ['exp as a string', () => ({ exp: String(t.now() + 300) })],
    ['exp null', () => ({ exp: null })],
    ['no sub', () => ({ sub: undefined })],
    ['an empty sub', () => ({ sub: '' })],
    ['a numeric sub', () => ({ sub: 42 })],
    ['an object as sub', () => ({ sub: { id: t.claims.sub } })],
    ['nbf a minute ahead', () => ({ nbf: t.now() + 60 })],
    ['nbf as a string', () => ({ nbf: String(t.now()) })],
    [
      'typ and azp hidden in __proto__',
      () =>
        JSON.parse(`{"__proto__":{"typ":"Bearer","azp":"authgate"},"typ":null,"azp":null}`) as Record<string, unknown>,
    ],
    ['an expired token of another client', () => ({ azp: 'account', exp: t.now() - 60 })],
    ['an expired token of another type', () => ({ typ: 'ID', exp: t.now() - 60 })],
    ['an expired token of another issuer', () => ({ iss: `${t.idp.url}/realms/other`, exp: t.now() - 60 })],
  ];
  it.each(refused)('with %s is 401 unauthenticated', async (_case, changes) => {
    await t.expectAll([await t.realmSigned(changes())]);
  });

  it('expired (beyond the 5 s tolerance) is 401 token_expired: the one case where refreshing helps', async () => {
    await t.expectAll(
      [await t.realmSigned({ exp: t.now() - 6 }), await t.realmSigned({ exp: t.now() - 86_400 })],
      TOKEN_EXPIRED,
    );
  });

  it('expired but signed by anyone else is 401 unauthenticated, never token_expired', async () => {
    await t.expectAll([
      await t.attackerSigned(t.realmHeader(), { exp: t.now() - 60 }),
      `${segment({ alg: 'none' })}.${segment({ ...t.claims, exp: t.now() - 60 })}.`,
    ]);
  });
});

describe('malformed tokens', () => {
  it('a 9 KB header is refused, under the realm kid or an unknown one', async () => {
    // Base64url turns 3 header bytes into 4 characters: pad the header until the whole token is about 9 KB.
    const padding = 'p'.repeat(Math.floor(((9 * 1024 - (await t.realmSigned()).length) * 3) / 4) - 80);
    const tokens = [
      await t.attackerSigned({ ...t.realmHeader(), padding }),
      await t.realmSigned({}, { ...t.realmHeader(), kid: `${t.realm.kid}${padding}` }),
    ];
    for (const token of tokens) expect(token.length).toBeGreaterThan(9000);
    await t.expectAll(tokens);
  });

  const raw = (text: string): string => b64url(text);
  const real = () => segments(t.alice.access_token);
  /** Alice's real claims and signature under a header written as text. */
  const underHeader = (text: string): string => `${raw(text)}.${real().payload}.${real().signature}`;
  const shapes: [string, () => string | Promise<string>][] = [
    ['one segment', () => real().header],
    ['two segments', () => `${real().header}.${real().payload}`],
    ['four segments', () => `${t.alice.access_token}.${real().signature}`],
    [
      'five segments (the shape of an encrypted token)',
      () =>
        `${segment({ alg: 'dir', enc: 'A256GCM' })}..${b64url(randomBytes(12))}.${real().payload}.${b64url(randomBytes(16))}`,
    ],
    ['only dots', () => '...'],
    ['an empty header', () => `.${real().payload}.${real().signature}`],
    ['empty claims', () => `${real().header}..${real().signature}`],
    ['a trailing dot', () => `${t.alice.access_token}.`],
    ['base64 instead of base64url', () => t.alice.access_token.replace(/-/g, '+').replace(/_/g, '/')],
    ['padding in the header', () => t.alice.access_token.replace('.', '=.')],
    ['characters outside base64', () => `${real().header}.${real().payload}.%%%`],
    ['whitespace inside the token', () => t.alice.access_token.replace('.', ' .')],
    ['a header that is not JSON', () => underHeader('not json')],
    ['a header of truncated JSON', () => underHeader('{"alg":"RS256"')],
    [
      'a header that is not UTF-8',
      () => `${b64url(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))}.${real().payload}.${real().signature}`,
    ],
    ['a header that is a JSON array', () => underHeader(`[{"alg":"RS256","kid":"${t.realm.kid}"}]`)],
    ['a header that is JSON null', () => underHeader('null')],
    ['a header that is a JSON string', () => underHeader('"RS256"')],
    ['a header that is a 5,000-digit number', () => underHeader('9'.repeat(5000))],
    ['huge numbers in the header', () => underHeader(`{"alg":"RS256","kid":"${t.realm.kid}","x":1e999,"y":-1e999}`)],
    [
      'huge numbers in the claims',
      () => `${real().header}.${raw(JSON.stringify(t.claims).replace(/"exp":\d+/, '"exp":1e999'))}.${real().signature}`,
    ],
    ['a header with whitespace around alg none', () => `${raw(' { "alg" : "none" } ')}.${real().payload}.`],
    [
      'a realm-signed header naming alg twice, none last',
      () => t.realmSignedHeader(`{"alg":"RS256","kid":"${t.realm.kid}","alg":"none"}`),
    ],
    [
      'a realm-signed header whose alg and kid hide in __proto__',
      () => t.realmSignedHeader(`{"__proto__":{"alg":"RS256","kid":"${t.realm.kid}"}}`),
    ],
    ['realm-signed claims that are a JSON array', () => signRaw(t.realmHeader(), [t.claims], t.realm.signing)],
    ['realm-signed claims that are JSON null', () => signRaw(t.realmHeader(), null, t.realm.signing)],
    ['realm-signed claims that are a JSON string', () => signRaw(t.realmHeader(), 'alice', t.realm.signing)],
    [
      'realm-signed claims that are not JSON',
      () => signRaw(t.realmHeader(), new TextEncoder().encode('sub=alice'), t.realm.signing),
    ],
    [
      'realm-signed claims that are not UTF-8',
      () => signRaw(t.realmHeader(), new Uint8Array([0x7b, 0xff, 0x7d]), t.realm.signing),
    ],
  ];
  it.each(shapes)('with %s is refused', async (_case, build) => {
    const token = await build();
    expect(token).not.toBe(t.alice.access_token);
    await t.expectAll([token]);
  });

  it.each([
    ['a tab after Bearer', (token: string) => `Bearer\t${token}`],
    ['the token quoted', (token: string) => `Bearer "${token}"`],
    ['two tokens', (token: string) => `Bearer ${token} ${token}`],
    ['a comma-separated second token', (token: string) => `Bearer ${token}, Bearer ${token}`],
  ])('an Authorization header with %s is refused', async (_case, header) => {
    expect(await t.me(header(t.alice.access_token))).toEqual(UNAUTHENTICATED);
  });
});

describeAfterwards(() => t);

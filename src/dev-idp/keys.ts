import { createHash, randomBytes } from 'node:crypto';
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWSHeaderParameters,
} from 'jose';

/**
 * The realm's keys, plain JSON so a caller can keep them across a restart (or in a file): the RS256 pair published in
 * the JWKS, and the secret refresh tokens are signed with. Keycloak (24+) signs refresh tokens HS512 with a realm
 * secret it never publishes, which is what makes an access token, a token of another realm or a forged one
 * "Invalid refresh token" without any special case.
 */
export interface DevIdpKeys {
  readonly privateJwk: JWK;
  /** base64url, 64 random bytes. */
  readonly refreshSecret: string;
}

export async function generateKeys(): Promise<DevIdpKeys> {
  return { privateJwk: await generateSigningJwk(), refreshSecret: randomBytes(64).toString('base64url') };
}

async function generateSigningJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { ...jwk, kid, alg: 'RS256', use: 'sig' };
}

export function publicJwk({ privateJwk }: DevIdpKeys): JWK {
  const { kty, n, e, kid, alg, use } = privateJwk;
  return { kty, n, e, kid, alg, use };
}

/** The key a realm access or ID token names in its header, or nothing: jose calls it to verify (compactVerify). */
export type VerifyingKeyOf = (header: JWSHeaderParameters) => CryptoKey;

/** The keys in the forms jose signs and verifies with, imported once. */
export interface KeyMaterial {
  /** The key that signs new tokens, and its id. */
  readonly kid: string;
  readonly signing: CryptoKey;
  readonly verifying: VerifyingKeyOf;
  readonly refreshKid: string;
  readonly refresh: Uint8Array;
}

/** One RS256 signing key of the realm, as one Keycloak `rsa-generated` key provider holds it. */
export interface SigningKeyInfo {
  readonly kid: string;
  readonly priority: number;
  /** Signs new tokens: the highest priority (the first added among equals). */
  readonly active: boolean;
}

interface SigningKey {
  readonly kid: string;
  readonly priority: number;
  readonly signing: CryptoKey;
  readonly verifying: CryptoKey;
  readonly published: JWK;
}

// Keycloak's default priority for the key providers it generates for a new realm.
const DEFAULT_PRIORITY = 100;

/**
 * The realm's signing keys as Keycloak keeps them: the highest priority signs new tokens, every key present verifies
 * and is published in the JWKS, and a removed key verifies nothing any more (Keycloak: deleting its key provider).
 * The HS512 refresh-token secret is a key provider of its own at Keycloak and is not rotated here.
 */
export class RealmKeys implements KeyMaterial {
  private signingKeys: SigningKey[] = [];

  private constructor(
    readonly refreshKid: string,
    readonly refresh: Uint8Array,
  ) {}

  static async of(keys: DevIdpKeys): Promise<RealmKeys> {
    const refresh = Buffer.from(keys.refreshSecret, 'base64url');
    if (refresh.length < 32) throw new Error('signingKey: refreshSecret must hold at least 32 bytes (base64url)');
    const realmKeys = new RealmKeys(
      createHash('sha256').update(refresh).digest('base64url').slice(0, 22),
      new Uint8Array(refresh),
    );
    await realmKeys.addJwk(keys.privateJwk, DEFAULT_PRIORITY);
    return realmKeys;
  }

  get kid(): string {
    return this.activeKey().kid;
  }

  get signing(): CryptoKey {
    return this.activeKey().signing;
  }

  readonly verifying: VerifyingKeyOf = (header) => {
    const key = this.signingKeys.find((k) => k.kid === header.kid);
    if (!key) throw new Error('no key of the realm has this kid');
    return key.verifying;
  };

  /** Adds a newly generated RS256 key; answers its kid. */
  async add(priority: number): Promise<string> {
    if (!Number.isSafeInteger(priority)) throw new Error('a key priority is a whole number');
    return this.addJwk(await generateSigningJwk(), priority);
  }

  /** Removes a key; false when the realm has no key of this kid. The last key cannot go: nothing would sign. */
  remove(kid: string): boolean {
    const remaining = this.signingKeys.filter((k) => k.kid !== kid);
    if (remaining.length === this.signingKeys.length) return false;
    if (remaining.length === 0) throw new Error('the realm needs a signing key: add another before removing this one');
    this.signingKeys = remaining;
    return true;
  }

  list(): SigningKeyInfo[] {
    const active = this.activeKey();
    return this.signingKeys.map(({ kid, priority }) => ({ kid, priority, active: kid === active.kid }));
  }

  /** The JWKS: the public half of every key present. */
  jwks(): { keys: JWK[] } {
    return { keys: this.signingKeys.map((k) => ({ ...k.published })) };
  }

  private async addJwk(privateJwk: JWK, priority: number): Promise<string> {
    const { kid } = privateJwk;
    if (!kid || privateJwk.kty !== 'RSA' || !privateJwk.d)
      throw new Error('signingKey: privateJwk must be a private RSA JWK with a kid');
    // The JWKS lists each key's members in the order oidc-provider published them in before keys could rotate.
    const { kty, use, alg, e, n } = privateJwk;
    const published: JWK = { kty, use, kid, alg, e, n };
    this.signingKeys.push({
      kid,
      priority,
      signing: (await importJWK(privateJwk, 'RS256')) as CryptoKey,
      verifying: (await importJWK(published, 'RS256')) as CryptoKey,
      published,
    });
    return kid;
  }

  private activeKey(): SigningKey {
    const [first, ...rest] = this.signingKeys;
    if (!first) throw new Error('the realm has no signing key');
    return rest.reduce((best, k) => (k.priority > best.priority ? k : best), first);
  }
}

export function importKeys(keys: DevIdpKeys): Promise<RealmKeys> {
  return RealmKeys.of(keys);
}

import { createHash, randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';

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
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { privateJwk: { ...jwk, kid, alg: 'RS256', use: 'sig' }, refreshSecret: randomBytes(64).toString('base64url') };
}

export function publicJwk({ privateJwk }: DevIdpKeys): JWK {
  const { kty, n, e, kid, alg, use } = privateJwk;
  return { kty, n, e, kid, alg, use };
}

/** The keys in the forms jose signs and verifies with, imported once. */
export interface KeyMaterial {
  readonly kid: string;
  readonly signing: CryptoKey;
  readonly verifying: CryptoKey;
  readonly refreshKid: string;
  readonly refresh: Uint8Array;
}

export async function importKeys(keys: DevIdpKeys): Promise<KeyMaterial> {
  const { kid } = keys.privateJwk;
  if (!kid || keys.privateJwk.kty !== 'RSA' || !keys.privateJwk.d) throw new Error('signingKey: privateJwk must be a private RSA JWK with a kid');
  const refresh = Buffer.from(keys.refreshSecret, 'base64url');
  if (refresh.length < 32) throw new Error('signingKey: refreshSecret must hold at least 32 bytes (base64url)');
  return {
    kid,
    signing: (await importJWK(keys.privateJwk, 'RS256')) as CryptoKey,
    verifying: (await importJWK(publicJwk(keys), 'RS256')) as CryptoKey,
    refreshKid: createHash('sha256').update(refresh).digest('base64url').slice(0, 22),
    refresh: new Uint8Array(refresh),
  };
}

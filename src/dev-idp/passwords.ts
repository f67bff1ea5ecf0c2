import { createHash, pbkdf2, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { RealmCredential } from './realm-file.js';

/*
 * What the development IdP does with passwords (benchmarks against it must say so):
 *
 * - A plain `credentials[].value` (Keycloak's import format) is kept only as its SHA-256 digest, and a login compares
 *   digests with crypto.timingSafeEqual. That costs microseconds, NOT the ~25-225 ms of CPU that Keycloak spends per
 *   login on Argon2id (25+) or PBKDF2-SHA512 with 210,000 iterations (24). Login throughput measured against the dev
 *   IdP says nothing about Keycloak's.
 * - A hashed credential from a Keycloak export (`secretData` {"value","salt"} + `credentialData` {"hashIterations",
 *   "algorithm"}) is checked the way Keycloak checks it: PBKDF2 with the stored iteration count, salt and key length
 *   (32 or 64 bytes), algorithm `pbkdf2` (SHA-1), `pbkdf2-sha256` or `pbkdf2-sha512`. That costs what it costs.
 * - Argon2 hashes (Keycloak 25+ exports) cannot be checked on Node 20 without a native dependency: such a user cannot log
 *   in, and the IdP warns at start. Give the user a plain `value` instead.
 */

const pbkdf2Async = promisify(pbkdf2);

export type StoredPassword =
  | { readonly kind: 'plain'; readonly digest: Buffer }
  | {
      readonly kind: 'pbkdf2';
      readonly hash: 'sha1' | 'sha256' | 'sha512';
      readonly iterations: number;
      readonly salt: Buffer;
      readonly key: Buffer;
    }
  | { readonly kind: 'unsupported'; readonly reason: string };

const PBKDF2_HASHES: Record<string, 'sha1' | 'sha256' | 'sha512'> = {
  pbkdf2: 'sha1',
  'pbkdf2-sha256': 'sha256',
  'pbkdf2-sha512': 'sha512',
};

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function parseJsonObject(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function compileHashed(credential: RealmCredential): StoredPassword {
  const secret = parseJsonObject(credential.secretData);
  const data = parseJsonObject(credential.credentialData);
  if (!secret || !data) return { kind: 'unsupported', reason: 'secretData/credentialData are not JSON objects' };
  const algorithm = typeof data.algorithm === 'string' ? data.algorithm : 'pbkdf2-sha256';
  const hash = PBKDF2_HASHES[algorithm];
  if (!hash) return { kind: 'unsupported', reason: `hash algorithm "${algorithm}" is not supported by the dev IdP` };
  const iterations = data.hashIterations;
  if (typeof iterations !== 'number' || !Number.isInteger(iterations) || iterations < 1) {
    return { kind: 'unsupported', reason: 'credentialData.hashIterations is not a positive integer' };
  }
  if (typeof secret.value !== 'string' || typeof secret.salt !== 'string') {
    return { kind: 'unsupported', reason: 'secretData needs "value" and "salt" (base64)' };
  }
  const key = Buffer.from(secret.value, 'base64');
  if (key.length === 0) return { kind: 'unsupported', reason: 'secretData.value is empty' };
  return { kind: 'pbkdf2', hash, iterations, salt: Buffer.from(secret.salt, 'base64'), key };
}

/** A plain password, kept as its digest only. */
export function plainPassword(value: string): StoredPassword {
  return { kind: 'plain', digest: sha256(value) };
}

/** The user's password credential, ready to check; undefined when the user has none (then no password matches). */
export function compilePassword(credentials: readonly RealmCredential[]): StoredPassword | undefined {
  const credential = credentials.find((c) => c.type === 'password');
  if (!credential) return undefined;
  if (credential.value !== undefined) return plainPassword(credential.value);
  return compileHashed(credential);
}

// Unknown users still cost one digest comparison, so "no such user" is not measurably faster than "wrong password".
const DUMMY: StoredPassword = { kind: 'plain', digest: sha256('dev-idp dummy password') };

export async function verifyPassword(
  stored: StoredPassword | undefined,
  presented: string | undefined,
): Promise<boolean> {
  const target = stored ?? DUMMY;
  const candidate = presented ?? '';
  switch (target.kind) {
    case 'plain':
      return timingSafeEqual(sha256(candidate), target.digest) && stored !== undefined && presented !== undefined;
    case 'pbkdf2': {
      const derived = await pbkdf2Async(
        Buffer.from(candidate, 'utf8'),
        target.salt,
        target.iterations,
        target.key.length,
        target.hash,
      );
      return timingSafeEqual(derived, target.key) && presented !== undefined;
    }
    case 'unsupported':
      return false;
  }
}

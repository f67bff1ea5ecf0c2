import { createHash, randomBytes } from 'node:crypto';
import { SERVICE_TOKEN_PREFIX } from '../contract/service-tokens.js';
import { sameSecret } from '../support/constant-time.js';

/** A service token taken apart: the public id and the secret only its holder knows. */
export interface ServiceTokenParts {
  id: string;
  secret: string;
}

// The id is hex so that the `_` between id and secret is unambiguous (base64url has `_` in its alphabet).
const ID_BYTES = 8;
const SECRET_BYTES = 32;
const SHAPE = new RegExp(`^${SERVICE_TOKEN_PREFIX}([0-9a-f]{${ID_BYTES * 2}})_([A-Za-z0-9_-]{43})$`);

/** A fresh token: `agst_<id>_<secret>`, the prefix there for secret scanners to find leaked ones. */
export function mintServiceToken(): ServiceTokenParts & { token: string } {
  const id = randomBytes(ID_BYTES).toString('hex');
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  return { id, secret, token: `${SERVICE_TOKEN_PREFIX}${id}_${secret}` };
}

/** The token's parts, or undefined when it is not shaped like one of ours. */
export function parseServiceToken(token: string): ServiceTokenParts | undefined {
  const match = SHAPE.exec(token);
  return match?.[1] && match[2] ? { id: match[1], secret: match[2] } : undefined;
}

export function isServiceTokenShaped(token: string): boolean {
  return token.startsWith(SERVICE_TOKEN_PREFIX);
}

/** What the store keeps instead of the secret: a dump of the store does not give the token away. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('base64url');
}

export function secretMatches(secret: string, storedHash: string): boolean {
  return sameSecret(hashSecret(secret), storedHash);
}

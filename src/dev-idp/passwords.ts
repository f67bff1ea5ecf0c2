import { createHash, pbkdf2Sync, timingSafeEqual } from 'node:crypto';
import type { RealmCredential, RealmUser } from './realm.js';

const PBKDF2_DIGESTS: Record<string, string> = { pbkdf2: 'sha1', 'pbkdf2-sha256': 'sha256', 'pbkdf2-sha512': 'sha512' };

/**
 * Checks a password against a realm user's credentials. Plain `value`s (Keycloak's import format) are compared as
 * SHA-256 digests in constant time, without Keycloak's deliberate hashing cost (Argon2 or PBKDF2 with 27,500 to 210,000
 * iterations): logins here are far cheaper than at Keycloak. Exported PBKDF2 hashes are derived with their stored
 * iterations and key length, so an exported realm works as it is.
 */
export function passwordMatches(user: RealmUser | undefined, password: string): boolean {
  const credentials = user?.credentials.filter((c) => c.type === 'password') ?? [];
  // An unknown user still pays for one comparison, as Keycloak runs a dummy hash: no timing difference to probe.
  if (credentials.length === 0) return constantTimeEqual(password, '\u0000no-user');
  return credentials.some((credential) => matches(credential, password));
}

function matches(credential: RealmCredential, password: string): boolean {
  if (credential.value !== undefined) return constantTimeEqual(password, credential.value);
  if (!credential.secretData || !credential.credentialData) return false;
  const secret = JSON.parse(credential.secretData) as { value?: string; salt?: string };
  const data = JSON.parse(credential.credentialData) as { hashIterations?: number; algorithm?: string };
  const digest = PBKDF2_DIGESTS[data.algorithm ?? ''];
  if (!digest || !secret.value || !secret.salt || !data.hashIterations) return false;
  const expected = Buffer.from(secret.value, 'base64');
  const derived = pbkdf2Sync(password, Buffer.from(secret.salt, 'base64'), data.hashIterations, expected.length, digest);
  return timingSafeEqual(derived, expected);
}

/** Refuses at load time what this IdP cannot check, instead of failing every login of that user later. */
export function assertSupportedCredentials(user: RealmUser): void {
  for (const credential of user.credentials) {
    if (credential.type !== 'password' || credential.value !== undefined) continue;
    const algorithm = credential.credentialData ? (JSON.parse(credential.credentialData) as { algorithm?: string }).algorithm : undefined;
    if (!algorithm || !PBKDF2_DIGESTS[algorithm]) {
      throw new Error(`user ${user.username}: password hash algorithm ${algorithm ?? '(none)'} is not supported by the development IdP (use a plain "value" or a PBKDF2 hash)`);
    }
  }
}

function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

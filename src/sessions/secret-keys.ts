import { hkdfSync } from 'node:crypto';

/**
 * Separate keys for separate jobs, all derived from SESSION_SECRET, so that no key signs one thing and encrypts
 * another. Changing SESSION_SECRET changes them all: every session ends.
 */
export function deriveKey(secret: string, purpose: 'session-cookie' | 'session-encryption'): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'authgate', `authgate ${purpose} v1`, 32));
}

/** What signs the session cookie's id: express-session signs it, and the read path checks it, with this. */
export function cookieSigningSecret(secret: string): string {
  return deriveKey(secret, 'session-cookie').toString('base64url');
}

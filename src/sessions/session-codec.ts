import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SessionData } from 'express-session';
import { authOf, SessionAuth, type AuthState } from './auth-state.js';
import { deriveKey } from './secret-keys.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;
// However the body's length falls, its last 22 base64url characters hold the whole tag.
const TAG_CHARS = Math.ceil((TAG_BYTES * 8) / 6);

/** The stored value could not be read: written under another SESSION_SECRET, or altered. Treated as no session. */
export class UnreadableSessionError extends Error {
  constructor() {
    super('the stored session cannot be decrypted');
    this.name = 'UnreadableSessionError';
  }
}

/**
 * Turns a session into what the store keeps: `<version>.<AES-256-GCM ciphertext>`. The version stays readable so
 * that Redis can compare-and-set on it without the key; it is bound into the ciphertext as associated data, so it
 * cannot be changed on its own. A dump of the store shows no token, user or claim.
 */
export class SessionCodec {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = deriveKey(secret, 'session-encryption');
  }

  /**
   * Tells stored values apart without decrypting them: the label, the length, and the tail, which is the GCM tag.
   * Every seal draws a fresh IV, so two writes never share a tag; a value crafted to copy the tag of an earlier one
   * cannot be decrypted, and anyone able to craft it could as well have put the earlier value back.
   */
  static fingerprint(stored: string): string {
    return `${stored.length}:${stored.slice(0, stored.indexOf('.'))}:${stored.slice(-TAG_CHARS)}`;
  }

  static versionOf(session: SessionData): number {
    return authOf(session)?.version ?? 0;
  }

  /** The whole session, the AuthState in full (its own JSON form is only its version: see SessionAuth). */
  stringify(session: SessionData): string {
    const state = authOf(session);
    return this.seal(
      String(SessionCodec.versionOf(session)),
      JSON.stringify(state ? { ...session, auth: state } : session),
    );
  }

  parse(stored: string): SessionData {
    const data = JSON.parse(this.open(stored)) as Omit<SessionData, 'auth'> & { auth?: AuthState | string };
    const { auth, ...rest } = data;
    if (auth === undefined) return rest as SessionData;
    // A string is how the previous release stored it: sessions survive a rolling upgrade.
    return {
      ...rest,
      auth: new SessionAuth(typeof auth === 'string' ? (JSON.parse(auth) as AuthState) : auth),
    } as SessionData;
  }

  /** Encrypts any value under a label, for entries that are not sessions (refresh results). */
  seal(label: string, plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(label));
    const body = Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${label}.${body.toString('base64url')}`;
  }

  /** Decrypts what `seal` or `stringify` produced (the label travels in front of the ciphertext). */
  open(stored: string): string {
    const plaintext = this.unseal(stored);
    if (plaintext === undefined) throw new UnreadableSessionError();
    return plaintext;
  }

  /** The same, for a caller to whom an unreadable value is an ordinary outcome: undefined then. */
  unseal(stored: string): string | undefined {
    const dot = stored.indexOf('.');
    if (dot <= 0) return undefined;
    const label = stored.slice(0, dot);
    const body = Buffer.from(stored.slice(dot + 1), 'base64url');
    if (body.length < IV_BYTES + TAG_BYTES) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, body.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(label));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      return Buffer.concat([
        decipher.update(body.subarray(IV_BYTES, body.length - TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}

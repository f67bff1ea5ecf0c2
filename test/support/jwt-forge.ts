import { createHmac, createPublicKey, type JsonWebKey } from 'node:crypto';
import {
  CompactSign,
  exportJWK,
  exportSPKI,
  FlattenedSign,
  generateKeyPair,
  importJWK,
  type CryptoKey,
  type JWK,
} from 'jose';
import type { DevIdp } from '../../src/dev-idp/index.js';
import { publicJwk } from '../../src/dev-idp/keys.js';

/** Anything a forger may put in a JOSE header, typed loosely on purpose: attacks use values no honest signer would. */
export type Header = Record<string, unknown>;

export const b64url = (data: string | Uint8Array): string => Buffer.from(data).toString('base64url');

/** A JSON value as one base64url token segment. */
export const segment = (value: unknown): string => b64url(JSON.stringify(value));

/** The three segments of a compact token, as sent. */
export function segments(token: string): { header: string; payload: string; signature: string } {
  const [header = '', payload = '', signature = ''] = token.split('.');
  return { header, payload, signature };
}

/** A segment read back as JSON. */
export function decodeSegment<T = Record<string, unknown>>(value: string): T {
  return JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as T;
}

/**
 * Signs any header and any payload bytes with jose: the payload need not be a JWT claims set, the header may carry
 * anything. `crit` names the extensions jose must let through when signing (it refuses unknown ones otherwise).
 */
export async function signRaw(
  header: Header,
  payload: unknown,
  key: CryptoKey | Uint8Array,
  crit: Record<string, boolean> = {},
): Promise<string> {
  const bytes = payload instanceof Uint8Array ? payload : new TextEncoder().encode(JSON.stringify(payload));
  return new CompactSign(bytes).setProtectedHeader(header as { alg: string }).sign(key, { crit });
}

/**
 * RS256 over a header written as text, for headers jose refuses to produce (a malformed `crit`, a key twice,
 * `__proto__`): the signature is WebCrypto's, exactly as jose would compute it.
 */
export async function signRs256Text(headerText: string, payload: unknown, key: CryptoKey): Promise<string> {
  const signingInput = `${b64url(headerText)}.${segment(payload)}`;
  const signature = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', key, new TextEncoder().encode(signingInput));
  return `${signingInput}.${b64url(new Uint8Array(signature))}`;
}

/** The same private key for another algorithm of its family (RS512, PS256, ...): the JWK's own `alg` would pin it. */
export async function signWithJwk(
  privateJwk: JWK,
  header: Header & { alg: string },
  payload: unknown,
): Promise<string> {
  const { alg: _pinned, ...jwk } = privateJwk;
  return signRaw(header, payload, (await importJWK(jwk, header.alg)) as CryptoKey);
}

/** A JWS with `b64: false` and a detached (empty) payload, the one compact form of an unencoded payload. */
export async function signUnencodedDetached(header: Header, key: CryptoKey): Promise<string> {
  const jws = await new FlattenedSign(new Uint8Array())
    .setProtectedHeader({ ...header, b64: false, crit: ['b64'] } as unknown as { alg: string })
    .sign(key);
  return `${jws.protected ?? ''}..${jws.signature}`;
}

/** HS256 over the empty key (what a verifier reading the file a `kid` names, like /dev/null, would use); WebCrypto refuses a zero-length HMAC key, so Node's HMAC signs. */
export function hs256WithEmptyKey(header: Header, payload: unknown): string {
  const signingInput = `${segment({ ...header, alg: 'HS256' })}.${segment(payload)}`;
  return `${signingInput}.${createHmac('sha256', Buffer.alloc(0)).update(signingInput).digest('base64url')}`;
}

/** The realm's own keys, taken from the running IdP: what only the provider holds, and what it publishes. */
export interface RealmKeys {
  readonly kid: string;
  readonly signing: CryptoKey;
  readonly privateJwk: JWK;
  /** The public JWK exactly as the key set publishes it. */
  readonly published: JWK;
}

export async function realmKeys(idp: DevIdp): Promise<RealmKeys> {
  const { privateJwk } = idp.signingKey;
  if (!privateJwk.kid) throw new Error('the dev IdP key has no kid');
  return {
    kid: privateJwk.kid,
    signing: (await importJWK(privateJwk, 'RS256')) as CryptoKey,
    privateJwk,
    published: publicJwk(idp.signingKey),
  };
}

/**
 * The realm's public key in every form a key-confusion attacker might feed an HMAC: whatever bytes a confused
 * verifier could take for "the key". Node's crypto only converts between encodings here; jose signs.
 */
export function publicKeyEncodings(published: JWK): [string, Uint8Array][] {
  const key = createPublicKey({ key: published as JsonWebKey, format: 'jwk' });
  const spkiPem = key.export({ type: 'spki', format: 'pem' }).toString();
  const pkcs1Pem = key.export({ type: 'pkcs1', format: 'pem' }).toString();
  const der = key.export({ type: 'spki', format: 'der' });
  const text = (s: string): Uint8Array => new TextEncoder().encode(s);
  return [
    ['the PEM (SPKI)', text(spkiPem)],
    ['the PEM (SPKI) without its final newline', text(spkiPem.trimEnd())],
    ['the PEM (PKCS#1)', text(pkcs1Pem)],
    ['the JWK as JSON', text(JSON.stringify(published))],
    ['the key set as JSON', text(JSON.stringify({ keys: [published] }))],
    ['the modulus bytes', new Uint8Array(Buffer.from(published.n ?? '', 'base64url'))],
    ['the modulus as base64url text', text(published.n ?? '')],
    ['the DER (SPKI) bytes', new Uint8Array(der)],
    ['the DER (SPKI) as base64', text(der.toString('base64'))],
  ];
}

/** An RSA key of the attacker's own, with its public half as a JWK and as SPKI DER (what an x5c would carry). */
export interface AttackerKey {
  readonly signing: CryptoKey;
  readonly privateJwk: JWK;
  readonly jwk: JWK;
  readonly spkiDer: string;
}

export async function attackerKey(): Promise<AttackerKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = createPublicKey(await exportSPKI(publicKey)).export({ format: 'jwk' }) as JWK;
  const spkiDer = createPublicKey(await exportSPKI(publicKey))
    .export({ type: 'spki', format: 'der' })
    .toString('base64');
  return {
    signing: privateKey,
    privateJwk: await exportJWK(privateKey),
    jwk: { ...jwk, alg: 'RS256', use: 'sig' },
    spkiDer,
  };
}

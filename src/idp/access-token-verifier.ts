import { createRemoteJWKSet, customFetch, jwtVerify, type JWTPayload } from 'jose';
import { LRUCache } from 'lru-cache';
import { ApiError } from '../errors/api-error.js';
import type { Clock } from '../clock.js';
import { translateProviderError } from './translate-error.js';
import type { Fetch } from './provider-fetch.js';

const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
// jose's verdicts on the token itself; anything else is about reaching the key set.
const TOKEN_FAULTS = new Set([
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  'ERR_JWS_INVALID',
  'ERR_JWT_INVALID',
  'ERR_JWT_CLAIM_VALIDATION_FAILED',
  'ERR_JOSE_ALG_NOT_ALLOWED',
  'ERR_JOSE_NOT_SUPPORTED',
]);
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const CLOCK_TOLERANCE_SECONDS = 5;
// A flood of tokens with made-up key ids must not become a flood of key-set fetches.
const JWKS_REFETCH_COOLDOWN_MS = 30_000;
const JWKS_MAX_AGE_MS = 10 * 60_000;
// Verified tokens are remembered until they expire: a signature check per request was the largest cost of token-mode
// /me (see docs/benchmarks.md). Bounded, least recently used first out.
const VERIFIED_CACHE_ENTRIES = 10_000;

export interface AccessTokenVerifierOptions {
  issuer: string;
  jwksUri: string;
  clientId: string;
  fetch: Fetch;
  timeoutMs: number;
  clock: Clock;
}

/** Verifies Keycloak access tokens locally: signature by the realm's keys, issuer, expiry, type and client. */
export class AccessTokenVerifier {
  private readonly jwks;
  private readonly verified = new LRUCache<string, JWTPayload>({ max: VERIFIED_CACHE_ENTRIES });

  constructor(private readonly options: AccessTokenVerifierOptions) {
    this.jwks = createRemoteJWKSet(new URL(options.jwksUri), {
      timeoutDuration: options.timeoutMs,
      cooldownDuration: JWKS_REFETCH_COOLDOWN_MS,
      cacheMaxAge: JWKS_MAX_AGE_MS,
      [customFetch]: (url: string, init: RequestInit) => options.fetch(url, init),
    });
  }

  async verify(token: string): Promise<JWTPayload> {
    const known = this.verified.get(token);
    if (known) {
      if ((known.exp ?? 0) + CLOCK_TOLERANCE_SECONDS > this.options.clock.now() / 1000) return known;
      this.verified.delete(token);
      throw new ApiError('token_expired', { logFields: { reason: 'expired since it was verified' } });
    }
    const payload = await this.verifyOnce(token);
    this.verified.set(token, payload);
    return payload;
  }

  private async verifyOnce(token: string): Promise<JWTPayload> {
    if (!isCanonicalCompactJws(token)) {
      throw new ApiError('unauthenticated', { logFields: { reason: 'not a compact JWS in canonical base64url' } });
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.jwks, {
        issuer: this.options.issuer,
        algorithms: ASYMMETRIC_ALGORITHMS,
        currentDate: new Date(this.options.clock.now()),
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code === 'ERR_JWT_EXPIRED') {
        // Expired means "refresh and retry", which only helps a token that was acceptable before it expired: an
        // expired ID token, or another client's, is as unauthenticated as a fresh one. jose checked the signature and
        // the issuer before the expiry, and keeps the claims on the error.
        const refusal = this.refusal((err as { payload?: JWTPayload }).payload ?? {});
        throw new ApiError(refusal ? 'unauthenticated' : 'token_expired', { cause: err, ...(refusal ? { logFields: { reason: refusal } } : {}) });
      }
      if (typeof code === 'string' && TOKEN_FAULTS.has(code)) throw new ApiError('unauthenticated', { cause: err });
      throw translateProviderError(err, 'jwks');
    }
    const refusal = this.refusal(payload);
    if (refusal) throw new ApiError('unauthenticated', { logFields: { reason: refusal } });
    return payload;
  }

  /** Why correctly signed claims are still not an access token this gateway accepts; undefined when they are one. */
  private refusal(payload: JWTPayload): string | undefined {
    // Keycloak signs ID tokens with the same keys: only an access token issued to this gateway's client will do.
    if (payload.typ !== 'Bearer' || payload.azp !== this.options.clientId) return 'not an access token of this client';
    // The user card is about `sub`; jose only checks that the claim is there, and "", 42 or {} would name no one.
    if (typeof payload.sub !== 'string' || payload.sub === '') return 'no subject';
    return undefined;
  }
}

/**
 * Three base64url segments, the signature spelled as an encoder spells it. jose decodes leniently: it takes `==`
 * padding and drops the unused low bits of the last character, so without this check one signed token has dozens of
 * spellings that all verify (a changed signature character accepted, each spelling a fresh entry in the cache).
 */
function isCanonicalCompactJws(token: string): boolean {
  const segments = token.split('.');
  if (segments.length !== 3 || !segments.every((segment) => BASE64URL.test(segment))) return false;
  const signature = segments[2] ?? '';
  return Buffer.from(signature, 'base64url').toString('base64url') === signature;
}

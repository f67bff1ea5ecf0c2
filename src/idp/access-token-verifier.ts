import { decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { LRUCache } from 'lru-cache';
import type { Clock } from '../support/clock.js';
import type { Logger } from '../observability/logger.js';
import { RealmKeySet } from './realm-key-set.js';
import { translateProviderError } from './translate-error.js';
import type { Refused } from './identity-provider.js';
import type { Dialect } from './dialects.js';
import type { Fetch } from './provider-fetch.js';

const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];
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
// Verified tokens are remembered until they expire: a signature check per request was the largest cost of token-mode
// /me (see docs/benchmarks.md). Bounded, least recently used first out.
const VERIFIED_CACHE_ENTRIES = 10_000;

export interface AccessTokenVerifierOptions {
  issuer: string;
  /** How the provider marks its access tokens and names their client (the dialect's). */
  accessTokenType: Dialect['accessTokenType'];
  clientClaims: readonly string[];
  jwksUri: string;
  clientId: string;
  fetch: Fetch;
  timeoutMs: number;
  clock: Clock;
  logger: Logger;
}

/** Where a token comes from decides whose fault a token that does not verify is. */
type Source = 'client' | 'provider';

/** A verification remembered, with the key that made it and the key set that held that key then. */
interface Verified {
  readonly payload: JWTPayload;
  readonly kid: string | undefined;
  generation: number;
}

/**
 * The token is not one this gateway accepts: the client's fault for a token it presented, the provider's for one its
 * token endpoint just issued. Anything else thrown while verifying is about reaching the key set.
 */
class TokenRefused extends Error {
  constructor(
    readonly reason: string | undefined,
    /** An access token of this client that was acceptable until it expired: the client should refresh. */
    readonly expired: boolean,
    options?: { cause: unknown },
  ) {
    super(reason ?? 'the token does not verify', options);
    this.name = 'TokenRefused';
  }
}

/** Verifies Keycloak access tokens locally: signature by the realm's keys, issuer, expiry, type and client. */
export class AccessTokenVerifier {
  private readonly keys: RealmKeySet;
  private readonly verified = new LRUCache<string, Verified>({ max: VERIFIED_CACHE_ENTRIES });

  constructor(private readonly options: AccessTokenVerifierOptions) {
    const { jwksUri, fetch, timeoutMs, clock, logger } = options;
    this.keys = new RealmKeySet({ jwksUri, fetch, timeoutMs, clock, logger });
  }

  /**
   * A token a client presented: refused (token_expired, unauthenticated) when it is not acceptable; the provider's
   * failure is thrown when the keys cannot be had.
   */
  async verify(token: string): Promise<{ ok: true; claims: JWTPayload } | Refused> {
    // One async frame on the hot path (a remembered token): this is most of what token-mode /me does.
    try {
      const waiting = this.keys.ready();
      if (waiting) await waiting;
      return { ok: true, claims: this.remembered(token) ?? (await this.verifyNew(token, 'client')) };
    } catch (err) {
      if (!(err instanceof TokenRefused)) throw translateProviderError(err, 'jwks');
      const reason = err.reason === undefined ? {} : { logFields: { reason: err.reason } };
      const cause = err.cause === undefined ? {} : { cause: err.cause };
      return { ok: false, error: { code: err.expired ? 'token_expired' : 'unauthenticated', ...cause, ...reason } };
    }
  }

  /**
   * An access token the provider's token endpoint has just issued (a login, a code redeemed). A key the set lacks is
   * fetched at once: only the provider mints these tokens, so they cannot make the gateway fetch at will. One that
   * still does not verify is the provider's fault (502), never the user's: no 401, no failed login counted.
   */
  async verifyIssued(token: string): Promise<JWTPayload> {
    try {
      const waiting = this.keys.ready();
      if (waiting) await waiting;
      return this.remembered(token) ?? (await this.verifyNew(token, 'provider'));
    } catch (err) {
      throw translateProviderError(err, err instanceof TokenRefused ? 'issued_token' : 'jwks');
    }
  }

  /**
   * A refreshed access token is not checked here (nothing may stand between rotated tokens and their storing), but the
   * key it names is fetched if the set lacks it, so that the token passes at /me at once. Never throws.
   */
  async expectKeyOf(token: string): Promise<void> {
    let kid: unknown;
    try {
      ({ kid } = decodeProtectedHeader(token));
    } catch {
      return;
    }
    if (typeof kid === 'string' && !this.keys.has(kid)) await this.keys.reloadForIssuedKey(kid).catch(() => undefined);
  }

  private async verifyNew(token: string, source: Source): Promise<JWTPayload> {
    // The set as it was before: one fetched meanwhile makes the next hit ask whether the key is still there.
    const generation = this.keys.generation;
    const verified = await this.verifyOnce(token, source);
    this.verified.set(token, { ...verified, generation });
    return verified.payload;
  }

  /** A verification made before, if its key is still in the realm's key set and the token has not expired since. */
  private remembered(token: string): JWTPayload | undefined {
    const known = this.verified.get(token);
    if (!known) return undefined;
    if (known.generation !== this.keys.generation) {
      if (known.kid === undefined || !this.keys.has(known.kid)) {
        // The realm removed the key (or the token named none): verified again, against the keys there are now.
        this.verified.delete(token);
        return undefined;
      }
      known.generation = this.keys.generation;
    }
    if ((known.payload.exp ?? 0) + CLOCK_TOLERANCE_SECONDS > this.options.clock.now() / 1000) return known.payload;
    this.verified.delete(token);
    throw new TokenRefused('expired since it was verified', true);
  }

  private async verifyOnce(token: string, source: Source): Promise<Omit<Verified, 'generation'>> {
    if (!isCanonicalCompactJws(token)) throw new TokenRefused('not a compact JWS in canonical base64url', false);
    let verified;
    try {
      verified = await this.check(token);
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'ERR_JWKS_NO_MATCHING_KEY') throw this.refusalOf(err, token);
      const reload =
        source === 'provider'
          ? this.keys.reloadForIssuedKey(decodeProtectedHeader(token).kid)
          : this.keys.reloadForUnknownKey();
      if (!reload) throw this.refusalOf(err, token);
      await reload;
      verified = await this.check(token).catch((again: unknown) => {
        throw this.refusalOf(again, token);
      });
    }
    const refusal = this.refusal(verified.payload, verified.protectedHeader.typ);
    if (refusal) throw new TokenRefused(refusal, false);
    return { payload: verified.payload, kid: verified.protectedHeader.kid };
  }

  private check(token: string) {
    return jwtVerify(token, this.keys.getKey, {
      issuer: this.options.issuer,
      algorithms: ASYMMETRIC_ALGORITHMS,
      currentDate: new Date(this.options.clock.now()),
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ['exp', 'sub'],
    });
  }

  /** jose's failure as a refusal of the token, or as it is when it is about reaching the key set. */
  private refusalOf(err: unknown, token: string): unknown {
    const code = (err as { code?: unknown }).code;
    if (code === 'ERR_JWT_EXPIRED') {
      // Expired means "refresh and retry", which only helps a token that was acceptable before it expired: an expired
      // ID token, or another client's, is as unauthenticated as a fresh one. jose checked the signature and the
      // issuer before the expiry, and keeps the claims on the error.
      const refusal = this.refusal((err as { payload?: JWTPayload }).payload ?? {}, headerType(token));
      return new TokenRefused(refusal, refusal === undefined, { cause: err });
    }
    if (typeof code === 'string' && TOKEN_FAULTS.has(code)) return new TokenRefused(undefined, false, { cause: err });
    return err;
  }

  /** Why correctly signed claims are still not an access token this gateway accepts; undefined when they are one. */
  private refusal(payload: JWTPayload, typ: string | undefined): string | undefined {
    // Providers sign ID tokens with the same keys: only an access token issued to this gateway's client will do.
    const { accessTokenType, clientClaims, clientId } = this.options;
    const isAccessToken =
      accessTokenType === 'keycloak'
        ? payload.typ === 'Bearer'
        : accessTokenType === 'at+jwt'
          ? /^(application\/)?at\+jwt$/i.test(typ ?? '')
          : true;
    const client = clientClaims.map((name) => payload[name]).find((value) => value !== undefined);
    if (!isAccessToken || client !== clientId) return 'not an access token of this client';
    // The user card is about `sub`; jose only checks that the claim is there, and "", 42 or {} would name no one.
    if (typeof payload.sub !== 'string' || payload.sub === '') return 'no subject';
    return undefined;
  }
}

/** The `typ` header of a token jose refused as expired (it keeps the claims on the error, not the header). */
function headerType(token: string): string | undefined {
  try {
    const { typ } = decodeProtectedHeader(token);
    return typ;
  } catch {
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

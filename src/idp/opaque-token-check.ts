import { createHash } from 'node:crypto';
import type { JWTPayload } from 'jose';
import { LRUCache } from 'lru-cache';
import type { Clock } from '../support/clock.js';
import type { Refused } from './identity-provider.js';
import type { Fetch } from './provider-fetch.js';
import { ProviderResponseError } from './provider-response-error.js';
import { translateProviderError } from './translate-error.js';

export interface OpaqueTokenCheckOptions {
  /** RFC 7662 introspection, when the provider offers it (then preferred: it says when the token expires). */
  introspectionEndpoint: string | undefined;
  userinfoEndpoint: string | undefined;
  clientId: string;
  clientSecret: string;
  fetch: Fetch;
  clock: Clock;
}

export type OpaqueCheck = { ok: true; claims: JWTPayload; expiresAt: number; key: string } | Refused;

// A provider is asked about a token at most this often; a token revoked at the provider is still accepted for up to
// this long, unless the gateway's own denylist refuses it first (a logout through the gateway).
const CACHE_SECONDS = 30;
const CACHE_ENTRIES = 10_000;
// When the provider does not say when a token expires (userinfo), the denylist keeps it this long.
const ASSUMED_LIFETIME_SECONDS = 3600;

/**
 * Access tokens the gateway cannot read (opaque, or JWTs not meant for it): the provider says who they belong to.
 * Answers are kept briefly, by the token's digest, so that /me under load does not become the provider's load.
 */
export class OpaqueTokenCheck {
  private readonly cache = new LRUCache<string, { claims: JWTPayload; expiresAt: number }>({
    max: CACHE_ENTRIES,
    ttl: CACHE_SECONDS * 1000,
    ttlAutopurge: false,
  });

  constructor(private readonly options: OpaqueTokenCheckOptions) {
    if (!options.introspectionEndpoint && !options.userinfoEndpoint)
      throw new Error('the provider offers neither introspection nor userinfo to check its opaque access tokens');
  }

  /** The token's claims, refused with unauthenticated when the provider does not know it (or no longer). */
  async check(token: string): Promise<OpaqueCheck> {
    const key = createHash('sha256').update(token).digest('base64url');
    const known = this.cache.get(key);
    const answer =
      known ??
      (this.options.introspectionEndpoint
        ? await this.introspect(token, this.options.introspectionEndpoint)
        : await this.userinfo(token, this.options.userinfoEndpoint ?? ''));
    if (!answer) return { ok: false, error: { code: 'unauthenticated', logFields: { reason: 'not active' } } };
    if (!known) this.cache.set(key, answer);
    // A kept answer outlives the token's exp by up to CACHE_SECONDS, and the provider's clock is not the gateway's: a
    // token past the exp the provider stated is expired here, as a JWT access token would be.
    if (answer.expiresAt * 1000 <= this.options.clock.now())
      return { ok: false, error: { code: 'token_expired', logFields: { reason: 'expired' } } };
    return { ok: true, key, ...answer };
  }

  private async introspect(
    token: string,
    endpoint: string,
  ): Promise<{ claims: JWTPayload; expiresAt: number } | undefined> {
    const { clientId, clientSecret } = this.options;
    const body = new URLSearchParams({
      token,
      token_type_hint: 'access_token',
      client_id: clientId,
      client_secret: clientSecret,
    });
    const claims = await this.ask(endpoint, { method: 'POST', body, headers: { accept: 'application/json' } }, false);
    if (claims?.active !== true || typeof claims.sub !== 'string') return undefined;
    if (claims.client_id !== undefined && claims.client_id !== clientId) return undefined;
    return { claims, expiresAt: typeof claims.exp === 'number' ? claims.exp : this.assumedExpiry() };
  }

  private async userinfo(
    token: string,
    endpoint: string,
  ): Promise<{ claims: JWTPayload; expiresAt: number } | undefined> {
    const claims = await this.ask(
      endpoint,
      { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } },
      true,
    );
    if (typeof claims?.sub !== 'string') return undefined;
    return { claims, expiresAt: this.assumedExpiry() };
  }

  /**
   * The provider's JSON answer; undefined when userinfo refuses the token (401, 403); thrown when it fails. At
   * introspection an unknown token is `{"active":false}`, so a 401 or 403 there refuses the gateway's own client: a
   * deployment fault, never the user's.
   */
  private async ask(url: string, init: RequestInit, refusalIsTheToken: boolean): Promise<JWTPayload | undefined> {
    let response: Response;
    try {
      response = await this.options.fetch(url, { ...init, redirect: 'manual' });
    } catch (err) {
      throw translateProviderError(err, 'token_check');
    }
    if (refusalIsTheToken && (response.status === 401 || response.status === 403)) {
      await response.body?.cancel();
      return undefined;
    }
    if (response.status !== 200)
      throw translateProviderError(await ProviderResponseError.from(response), 'token_check');
    const body: unknown = await response.json().catch(() => undefined);
    if (!body || typeof body !== 'object')
      throw translateProviderError(new ProviderResponseError(502, undefined, undefined), 'token_check');
    return body as JWTPayload;
  }

  private assumedExpiry(): number {
    return Math.floor(this.options.clock.now() / 1000) + ASSUMED_LIFETIME_SECONDS;
  }
}

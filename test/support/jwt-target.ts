import { describe, expect, it } from '@jest/globals';
import type { DevIdp } from '../../src/dev-idp/index.js';
import type { Fetch } from '../../src/idp/provider-fetch.js';
import { MovableClock } from './clock.js';
import { buildTestGateway, type TestGateway } from './gateway.js';
import { startTestIdp } from './idp.js';
import {
  attackerKey,
  decodeSegment,
  realmKeys,
  segments,
  signRaw,
  signRs256Text,
  type AttackerKey,
  type Header,
  type RealmKeys,
} from './jwt-forge.js';
import { listen, type Listening } from './listen.js';
import { startRecordingServer, type RecordingServer } from './recording-server.js';
import { loginThrough, type IssuedTokens } from './tokens.js';

export interface Answer {
  status: number;
  body: unknown;
}

export const UNAUTHENTICATED: Answer = {
  status: 401,
  body: { error: 'unauthenticated', message: 'Authentication is required' },
};
export const TOKEN_EXPIRED: Answer = {
  status: 401,
  body: { error: 'token_expired', message: 'The access token has expired' },
};

/**
 * What the JWT attack suites aim at: the token-mode gateway as production builds it, served on a loopback port in
 * front of the embedded IdP, with alice logged in, the realm's real keys, an attacker's key and an attacker's web
 * site (its `jku`/`x5u` target), and counts of what reached the provider's key set.
 */
export class JwtTarget {
  private readonly sent = new Set<string>();
  /** The claims of alice's access token. */
  readonly claims: Record<string, unknown>;

  private constructor(
    readonly idp: DevIdp,
    readonly gateway: TestGateway,
    private readonly served: Listening,
    readonly realm: RealmKeys,
    readonly attacker: AttackerKey,
    readonly attackerSite: RecordingServer,
    readonly clock: MovableClock,
    /** Alice's tokens from a real login. */
    readonly alice: IssuedTokens,
    private readonly counts: { keySet: number },
  ) {
    this.claims = decodeSegment(segments(alice.access_token).payload);
  }

  static async start(): Promise<JwtTarget> {
    const clock = new MovableClock();
    const idp = await startTestIdp({ now: () => clock.now() });
    const counts = { keySet: 0 };
    // Counts what reaches the provider's key set; the request itself goes through the gateway's own client untouched.
    const counting =
      (network: Fetch): Fetch =>
      (input, init) => {
        if (String(input).endsWith('/protocol/openid-connect/certs')) counts.keySet += 1;
        return network(input, init);
      };
    const gateway = buildTestGateway({ idpUrl: idp.url, clock, wrapFetch: counting });
    const [served, realm, attacker, alice] = await Promise.all([
      listen(gateway.app),
      realmKeys(idp),
      attackerKey(),
      loginThrough(gateway.app),
    ]);
    const site = await startRecordingServer({ keys: [attacker.jwk] });
    return new JwtTarget(idp, gateway, served, realm, attacker, site, clock, alice, counts);
  }

  async close(): Promise<void> {
    await Promise.all([this.served.close(), this.attackerSite.close(), this.idp.close()]);
  }

  /** How many times the gateway fetched the provider's key set so far. */
  get keySetFetches(): number {
    return this.counts.keySet;
  }

  get url(): string {
    return this.served.url;
  }

  async me(authorization: string): Promise<Answer> {
    const res = await fetch(`${this.served.url}/api/auth/me`, { headers: { authorization } });
    const text = await res.text();
    try {
      return { status: res.status, body: JSON.parse(text) as unknown };
    } catch {
      return { status: res.status, body: text };
    }
  }

  bearer(token: string): Promise<Answer> {
    this.sent.add(token);
    return this.me(`Bearer ${token}`);
  }

  /** Sends every token (fifty at a time) and expects the same whole answer to each; a failure shows the index. */
  async expectAll(tokens: string[], expected: Answer = UNAUTHENTICATED): Promise<void> {
    const answers: Answer[] = [];
    for (let i = 0; i < tokens.length; i += 50)
      answers.push(...(await Promise.all(tokens.slice(i, i + 50).map((t) => this.bearer(t)))));
    expect(answers).toEqual(tokens.map(() => expected));
  }

  /** Seconds since the epoch on the clock the gateway and the IdP share. */
  now(): number {
    return Math.floor(this.clock.now() / 1000);
  }

  /** The realm's header: RS256 under its published kid. */
  realmHeader(): Header {
    return { alg: 'RS256', typ: 'JWT', kid: this.realm.kid };
  }

  /** Alice's access token claims with some changed (undefined drops a claim), signed by the realm's real key. */
  realmSigned(changes: Record<string, unknown> = {}, header: Header = this.realmHeader()): Promise<string> {
    return signRaw(header, { ...this.claims, ...changes }, this.realm.signing);
  }

  /** Alice's claims under a header written as text, signed by the realm's real key. */
  realmSignedHeader(headerText: string): Promise<string> {
    return signRs256Text(headerText, this.claims, this.realm.signing);
  }

  attackerSigned(header: Header, changes: Record<string, unknown> = {}): Promise<string> {
    return signRaw(header, { ...this.claims, ...changes }, this.attacker.signing);
  }

  /** Alice's real header and claims under another signature. */
  withSignature(signature: string): string {
    const { header, payload } = segments(this.alice.access_token);
    return `${header}.${payload}.${signature}`;
  }

  /** Every token sent that a log line quotes (by its last 40 characters, the signature's). */
  tokensInLogs(): string[] {
    const logged = this.gateway.logs.text();
    return [...this.sent].filter((token) => token.length > 40 && logged.includes(token.slice(-40)));
  }
}

/** What every JWT attack suite checks at its end: the gateway still serves, nothing was fetched or leaked. */
export function describeAfterwards(target: () => JwtTarget): void {
  describe('afterwards', () => {
    it('the gateway still answers a valid token, old or new, with 200', async () => {
      const t = target();
      const fresh = await loginThrough(t.gateway.app);
      const answers = await Promise.all([t.bearer(t.alice.access_token), t.bearer(fresh.access_token)]);
      expect(answers.map((a) => a.status)).toEqual([200, 200]);
      expect(answers[1]?.body).toEqual({ user: expect.objectContaining({ username: 'alice', sub: t.claims.sub }) });
    });

    it('the key set was fetched a handful of times in all, the attacker site never, and no token reached a log line', () => {
      const t = target();
      expect(t.keySetFetches).toBeLessThanOrEqual(3);
      expect(t.attackerSite.requests).toEqual([]);
      expect(t.tokensInLogs()).toEqual([]);
      expect(t.gateway.logs.lines().filter((line) => typeof line.status === 'number' && line.status >= 500)).toEqual(
        [],
      );
      expect(Object.prototype).not.toHaveProperty('typ');
    });
  });
}

import { parseCookie } from 'cookie';
import { unsign } from 'cookie-signature';
import type { Request } from 'express';
import { LRUCache } from 'lru-cache';
import { authOf, summaryOf, type AuthState, type SessionSummary } from './auth-state.js';
import { SessionCodec } from './session-codec.js';
import { cookieSigningSecret } from './secret-keys.js';
import type { VersionedSessionStore } from './versioned-session-store.js';

/** A logged-in session: its id, what a read needs of it, its tokens when wanted, and how to end it in the store. */
export interface SessionRef {
  id: string;
  summary: SessionSummary;
  /**
   * The whole state, tokens included (decrypted now if the read did not need them). Undefined only for a stored value
   * crafted to copy the fingerprint of the one read before (see SessionCodec.fingerprint), which cannot be decrypted.
   */
  state(): AuthState | undefined;
  destroy(): Promise<void>;
}

/** What the reader remembers of a cookie it has checked: the session id it signs, and that session as last seen. */
interface Seen {
  id: string;
  fingerprint: string;
  summary: SessionSummary;
}

/**
 * Enough for the sessions an instance serves at once; an SPA polls /me from each open tab. About 1 kB each, no token
 * among them (see SessionReader).
 */
const REMEMBERED_COOKIES = 5000;

/**
 * Reads the session of a request that does not start or end one (GET /me, GET /session, POST /refresh-token) without
 * express-session: the same cookie, checked with the same signature (cookie-signature, as express-session does) and the
 * same store. express-session's per-request work (hashing the session twice, wrapping the response to save it,
 * building its objects) buys nothing on a route that never writes through it, and was the largest part of what the
 * gateway spends on /me. A refresh writes through the store's compare-and-set either way. Login, logout and the code
 * flow use express-session, which creates, regenerates and destroys sessions and sets the cookie (see Sessions).
 *
 * The store is read on every request, so a session ended or refreshed elsewhere is seen at once. What is skipped for
 * a cookie seen recently is the work whose answer cannot have changed: checking the cookie's signature again, and
 * decrypting and parsing a stored value identical to the one read last time (the two were most of the rest of /me's
 * cost). What is kept for that is the cookie, its session id and the session without its tokens: the tokens are
 * decrypted only when a request needs them (a refresh), so the gateway's heap holds no more tokens than before.
 * Measured per read (one per /me): 3.5 to 4 µs of CPU remembering, 50 to 63 µs not; the rounds saved 40 to 74 µs
 * (two runs of `npx tsx bench/micro/session-reader.ts`, Node 20, 15 interleaved rounds of 20,000 reads).
 * test/sessions/session-reader.test.ts pins the cookie format it reads (express-session's, signed with
 * cookie-signature) and that a session changed or removed in the store is seen at once, remembering or not.
 */
export class SessionReader {
  private readonly secret: string;
  private readonly seen: LRUCache<string, Seen> | undefined;
  private readonly issuer: string | undefined;

  constructor(
    private readonly store: VersionedSessionStore,
    private readonly cookieName: string,
    sessionSecret: string,
    options: {
      /** `remember: false` only to measure what remembering saves (bench/micro/session-reader.ts). */
      remember?: boolean;
      /** The provider's issuer: a session made with another provider is no session (see AuthState.issuer). */
      issuer?: string;
    } = {},
  ) {
    this.issuer = options.issuer;
    this.secret = cookieSigningSecret(sessionSecret);
    this.seen = options.remember === false ? undefined : new LRUCache<string, Seen>({ max: REMEMBERED_COOKIES });
  }

  async read(req: Request): Promise<SessionRef | undefined> {
    const header = req.headers.cookie;
    if (!header) return undefined;
    const cookie = parseCookie(header)[this.cookieName];
    // express-session's cookie: "s:" then the id signed with HMAC-SHA256. Anything else is no session, as there.
    if (!cookie?.startsWith('s:')) return undefined;
    // Only a cookie whose signature was checked is ever remembered.
    const known = this.seen?.get(cookie);
    const id = known?.id ?? unsign(cookie.slice(2), this.secret);
    if (id === false) return undefined;
    const stored = await this.store.readStored(id);
    const destroy = () => {
      this.seen?.delete(cookie);
      return this.store.remove(id);
    };
    if (stored === undefined) {
      this.seen?.delete(cookie);
      return undefined;
    }
    const fingerprint = this.seen ? SessionCodec.fingerprint(stored) : '';
    if (known?.fingerprint === fingerprint) {
      return { id, summary: known.summary, state: () => this.decode(stored), destroy };
    }
    const state = authOf(this.store.decode(stored));
    if (!state || (state.issuer !== undefined && this.issuer !== undefined && state.issuer !== this.issuer)) {
      this.seen?.delete(cookie);
      return undefined;
    }
    const summary = summaryOf(state);
    this.seen?.set(cookie, { id, fingerprint, summary });
    return { id, summary, state: () => state, destroy };
  }

  private decode(stored: string): AuthState | undefined {
    return authOf(this.store.decode(stored));
  }
}

import { randomUUID } from 'node:crypto';
import { KC } from './keycloak-error.js';
import type { Realm } from './realm.js';

/** A Keycloak user session with its one client session: what a refresh token lives or dies by. */
export interface UserSession {
  readonly id: string;
  readonly userId: string;
  readonly clientId: string;
  readonly scope: string;
  /** Milliseconds since the epoch, like every time below. */
  readonly started: number;
  lastRefresh: number;
  ended: boolean;
  /** Keycloak detaches the client session after a reuse: every refresh token of it fails from then on. */
  detached: boolean;
  currentRefreshTokenId: string | undefined;
  useCount: number;
  /** When each refresh token of the chain was issued, to tell an older token from the current one. */
  readonly issued: Map<string, number>;
}

/** In-memory sessions; a restart of the development IdP ends them all, as a Keycloak restart without a database would. */
export class SessionStore {
  private readonly sessions = new Map<string, UserSession>();

  constructor(
    private readonly realm: Realm,
    private readonly now: () => number,
  ) {}

  create(userId: string, clientId: string, scope: string): UserSession {
    const now = this.now();
    const session: UserSession = {
      id: randomUUID(),
      userId,
      clientId,
      scope,
      started: now,
      lastRefresh: now,
      ended: false,
      detached: false,
      currentRefreshTokenId: undefined,
      useCount: 0,
      issued: new Map(),
    };
    this.sessions.set(session.id, session);
    return session;
  }

  find(id: string): UserSession | undefined {
    return this.sessions.get(id);
  }

  isActive(session: UserSession | undefined): session is UserSession {
    if (!session || session.ended) return false;
    const now = this.now();
    return now < session.lastRefresh + this.realm.ssoSessionIdleTimeout * 1000 && now < session.started + this.realm.ssoSessionMaxLifespan * 1000;
  }

  /** When a refresh token issued now must expire: the idle timeout from now, capped by the session's maximum. */
  refreshExpiry(session: UserSession, nowMs: number): number {
    return Math.min(nowMs + this.realm.ssoSessionIdleTimeout * 1000, session.started + this.realm.ssoSessionMaxLifespan * 1000);
  }

  /**
   * Keycloak's reuse rules (TokenManager.validateTokenReuse) when the realm revokes refresh tokens: a token older than
   * the one last used is stale; the current one may be used refreshTokenMaxReuse + 1 times. Either violation detaches
   * the client session, so the legitimate newest token dies too.
   */
  useRefreshToken(session: UserSession, tokenId: string): void {
    if (session.detached) throw KC.clientDetached();
    if (!this.realm.revokeRefreshToken) return;
    const issuedAt = session.issued.get(tokenId) ?? 0;
    if (session.currentRefreshTokenId !== undefined && tokenId !== session.currentRefreshTokenId && issuedAt < session.lastRefresh) {
      session.detached = true;
      throw KC.staleToken();
    }
    if (tokenId !== session.currentRefreshTokenId) {
      session.currentRefreshTokenId = tokenId;
      session.useCount = 0;
    }
    if (session.useCount > this.realm.refreshTokenMaxReuse) {
      session.detached = true;
      throw KC.reuseExceeded();
    }
    session.useCount += 1;
  }

  end(session: UserSession): void {
    session.ended = true;
    this.sessions.delete(session.id);
  }
}

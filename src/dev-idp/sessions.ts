import { randomBytes, randomUUID } from 'node:crypto';
import { KC } from './keycloak-error.js';
import type { Realm } from './realm-file.js';

/** A client's part of a user session: where Keycloak keeps the refresh-token reuse state. */
export interface ClientSession {
  readonly clientId: string;
  /** The scope granted at login; refreshes keep it. */
  readonly scope: string;
  /** Names the rotation chain in every refresh token of it (Keycloak's reuse_id), when the realm revokes refresh tokens. */
  readonly reuseId: string;
  currentRefreshTokenId: string | undefined;
  useCount: number;
  /** The order in which this client session's refresh tokens were issued, to tell an older token from a newer one. */
  readonly issued: Map<string, number>;
}

/** A Keycloak user session (or offline session). Times in whole seconds, as Keycloak keeps them. */
export interface UserSession {
  readonly id: string;
  readonly userId: string;
  readonly offline: boolean;
  readonly started: number;
  /** When the user logged in through the browser; Keycloak keeps no auth_time for a direct (password) grant. */
  readonly authTime: number | undefined;
  lastRefresh: number;
  readonly clients: Map<string, ClientSession>;
}

const PURGE_EVERY_SECONDS = 60;

/** A session id shaped as Keycloak 26 shapes them (sid, session_state): 24 base64url characters. */
function sessionId(): string {
  return randomBytes(18).toString('base64url');
}

/**
 * In-memory sessions: a restart ends them all, as a Keycloak before 26 (sessions not persisted) would. Keycloak keeps
 * online and offline sessions apart; so does this store, under the same id.
 */
export class SessionStore {
  private readonly online = new Map<string, UserSession>();
  private readonly offline = new Map<string, UserSession>();
  private lastPurge = 0;

  constructor(
    private readonly realm: Realm,
    private readonly nowMs: () => number,
  ) {}

  now(): number {
    return Math.floor(this.nowMs() / 1000);
  }

  create(
    userId: string,
    clientId: string,
    scope: string,
    offline: boolean,
    viaBrowser = false,
  ): { session: UserSession; client: ClientSession } {
    this.purge();
    const now = this.now();
    const client: ClientSession = {
      clientId,
      scope,
      reuseId: randomUUID(),
      currentRefreshTokenId: undefined,
      useCount: 0,
      issued: new Map(),
    };
    const session: UserSession = {
      id: sessionId(),
      userId,
      offline,
      started: now,
      authTime: viaBrowser ? now : undefined,
      lastRefresh: now,
      clients: new Map([[clientId, client]]),
    };
    (offline ? this.offline : this.online).set(session.id, session);
    return { session, client };
  }

  find(id: string, offline: boolean): UserSession | undefined {
    return (offline ? this.offline : this.online).get(id);
  }

  /** Keycloak's AuthenticationManager.isSessionValid: inside both the idle timeout and the maximum lifespan. */
  isValid(session: UserSession): boolean {
    const now = this.now();
    const { idle, max } = this.limits(session);
    return session.lastRefresh + idle > now && (max === undefined || session.started + max > now);
  }

  /**
   * When a refresh token issued at `now` expires: idle timeout from then, capped by the maximum; none for an unbounded
   * offline session. One `now` for a whole token answer, or its lifetimes disagree by a second across a clock tick.
   */
  refreshTokenExpiry(session: UserSession, now = this.now()): number | undefined {
    const { idle, max } = this.limits(session);
    if (session.offline && max === undefined) return undefined;
    return Math.min(now + idle, session.started + (max ?? Number.MAX_SAFE_INTEGER));
  }

  /** Keycloak never lets an access token outlive its session's maximum lifespan. */
  accessTokenExpiry(session: UserSession | undefined, lifespan: number, now = this.now()): number {
    const exp = now + lifespan;
    const max = session ? this.limits(session).max : undefined;
    return session && max !== undefined ? Math.min(exp, session.started + max) : exp;
  }

  touch(session: UserSession): void {
    session.lastRefresh = this.now();
  }

  recordRefreshToken(client: ClientSession, tokenId: string): void {
    client.issued.set(tokenId, client.issued.size + 1);
  }

  /**
   * Keycloak's TokenManager.validateTokenReuse, applied when the realm revokes refresh tokens: a token older than the
   * current one is stale; the current one may be used refreshTokenMaxReuse + 1 times. Either violation detaches the
   * client session, so every refresh token of it fails from then on, the legitimate newest one included.
   */
  useRefreshToken(session: UserSession, client: ClientSession, tokenId: string): void {
    if (!this.realm.revokeRefreshToken) return;
    const order = client.issued.get(tokenId) ?? 0;
    const current =
      client.currentRefreshTokenId === undefined ? undefined : (client.issued.get(client.currentRefreshTokenId) ?? 0);
    if (current !== undefined && tokenId !== client.currentRefreshTokenId && order < current) {
      session.clients.delete(client.clientId);
      throw KC.staleToken();
    }
    if (tokenId !== client.currentRefreshTokenId) {
      client.currentRefreshTokenId = tokenId;
      client.useCount = 0;
    }
    if (client.useCount > this.realm.refreshTokenMaxReuse) {
      session.clients.delete(client.clientId);
      throw KC.reuseExceeded();
    }
    client.useCount += 1;
  }

  end(session: UserSession): void {
    (session.offline ? this.offline : this.online).delete(session.id);
  }

  private limits(session: UserSession): { idle: number; max: number | undefined } {
    const r = this.realm;
    if (!session.offline) return { idle: r.ssoSessionIdleTimeout, max: r.ssoSessionMaxLifespan };
    return {
      idle: r.offlineSessionIdleTimeout,
      max: r.offlineSessionMaxLifespanEnabled ? r.offlineSessionMaxLifespan : undefined,
    };
  }

  // Expired sessions are dropped now and then, so a long-running dev IdP does not grow without bound.
  private purge(): void {
    const now = this.now();
    if (now - this.lastPurge < PURGE_EVERY_SECONDS) return;
    this.lastPurge = now;
    for (const store of [this.online, this.offline]) {
      for (const [id, session] of store) if (!this.isValid(session)) store.delete(id);
    }
  }
}

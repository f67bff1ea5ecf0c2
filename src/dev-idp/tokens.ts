import { createHash, randomUUID } from 'node:crypto';
import { compactVerify, SignJWT, type JWTPayload } from 'jose';
import { allowedOrigins, optionalScopeClaims, profileClaims, roleClaims, serviceAccountClaims } from './claims.js';
import type { KeyMaterial, VerifyingKeyOf } from './keys.js';
import type { RealmClient } from './realm-file.js';
import type { RealmModel, User } from './realm-model.js';
import type { ScopeGrant } from './scopes.js';
import type { ClientSession, SessionStore, UserSession } from './sessions.js';

/** Keycloak's AccessTokenResponse, fields in its order. */
export interface TokenResponse {
  access_token: string;
  expires_in: number;
  refresh_expires_in: number;
  refresh_token?: string;
  token_type: 'Bearer';
  id_token?: string;
  'not-before-policy': 0;
  session_state?: string;
  scope: string;
}

/** The claims of a refresh token this realm signed (its expiry not yet judged). */
export interface RefreshClaims {
  readonly exp: number | undefined;
  readonly iat: number;
  readonly jti: string;
  readonly iss: string;
  readonly typ: 'Refresh' | 'Offline';
  readonly azp: string;
  readonly sid: string;
  readonly sub: string;
  readonly scope: string;
}

function atHash(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'ascii').digest().subarray(0, 16).toString('base64url');
}

async function verifiedPayload(
  token: string,
  key: Uint8Array | VerifyingKeyOf,
  alg: string,
): Promise<Record<string, unknown> | undefined> {
  try {
    // The realm's RS256 keys rotate: the one the token names in its header verifies it, if the realm still has it.
    const { payload, protectedHeader } =
      typeof key === 'function'
        ? await compactVerify(token, key, { algorithms: [alg] })
        : await compactVerify(token, key, { algorithms: [alg] });
    if (protectedHeader.alg !== alg) return undefined;
    const claims: unknown = JSON.parse(new TextDecoder().decode(payload));
    return claims !== null && typeof claims === 'object' && !Array.isArray(claims)
      ? (claims as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Mints and reads tokens of Keycloak's shapes: RS256 JWT access and ID tokens, HS512 JWT refresh tokens. */
export class TokenMinter {
  constructor(
    private readonly realm: RealmModel,
    readonly issuer: string,
    private readonly keys: KeyMaterial,
    private readonly sessions: SessionStore,
  ) {}

  /** The answer to a login or refresh: new access token, new refresh token, ID token when openid was granted. */
  async forSession(args: {
    user: User;
    client: RealmClient;
    grant: ScopeGrant;
    session: UserSession;
    clientSession: ClientSession;
    nonce?: string;
  }): Promise<TokenResponse> {
    const { user, client, grant, session, clientSession } = args;
    const now = this.sessions.now();
    const exp = this.sessions.accessTokenExpiry(session, this.realm.settings.accessTokenLifespan, now);
    const accessToken = await this.accessToken(user, client, grant, exp, { sid: session.id });
    const refreshExp = this.sessions.refreshTokenExpiry(session, now);
    const refreshId = randomUUID();
    this.sessions.recordRefreshToken(clientSession, refreshId);
    const refreshToken = await new SignJWT({
      ...(refreshExp === undefined ? {} : { exp: refreshExp }),
      iat: now,
      jti: refreshId,
      iss: this.issuer,
      aud: this.issuer,
      sub: user.id,
      typ: session.offline ? 'Offline' : 'Refresh',
      azp: client.clientId,
      sid: session.id,
      scope: grant.fullScope,
      ...(this.realm.settings.revokeRefreshToken ? { reuse_id: clientSession.reuseId } : {}),
    })
      .setProtectedHeader({ alg: 'HS512', typ: 'JWT', kid: this.keys.refreshKid })
      .sign(this.keys.refresh);
    const idToken = grant.openid
      ? await this.idToken(user, client, grant, exp, accessToken, {
          authTime: session.authTime,
          sid: session.id,
          nonce: args.nonce,
        })
      : undefined;
    return {
      access_token: accessToken,
      expires_in: exp - now,
      refresh_expires_in: refreshExp === undefined ? 0 : Math.max(0, refreshExp - now),
      refresh_token: refreshToken,
      token_type: 'Bearer',
      ...(idToken ? { id_token: idToken } : {}),
      'not-before-policy': 0,
      session_state: session.id,
      scope: grant.scope,
    };
  }

  /** client_credentials: Keycloak's session is transient, so no sid, no session_state and no refresh token. */
  async forServiceAccount(args: {
    user: User;
    client: RealmClient;
    grant: ScopeGrant;
    remoteAddress: string;
  }): Promise<TokenResponse> {
    const { user, client, grant } = args;
    const now = this.sessions.now();
    const exp = now + this.realm.settings.accessTokenLifespan;
    const accessToken = await this.accessToken(
      user,
      client,
      grant,
      exp,
      serviceAccountClaims(user, client, args.remoteAddress),
    );
    const idToken = grant.openid
      ? await this.idToken(user, client, grant, exp, accessToken, { authTime: undefined })
      : undefined;
    return {
      access_token: accessToken,
      expires_in: exp - now,
      refresh_expires_in: 0,
      token_type: 'Bearer',
      ...(idToken ? { id_token: idToken } : {}),
      'not-before-policy': 0,
      scope: grant.scope,
    };
  }

  /** A refresh token signed by this realm's secret, of a refresh type; undefined for anything else. */
  async readRefreshToken(token: string): Promise<RefreshClaims | undefined> {
    const c = await verifiedPayload(token, this.keys.refresh, 'HS512');
    if (!c || (c.typ !== 'Refresh' && c.typ !== 'Offline')) return undefined;
    const { exp, iat, jti, iss, azp, sid, sub, scope } = c;
    if (typeof iat !== 'number' || typeof jti !== 'string' || typeof iss !== 'string' || typeof azp !== 'string')
      return undefined;
    if (typeof sid !== 'string' || typeof sub !== 'string' || (exp !== undefined && typeof exp !== 'number'))
      return undefined;
    return { exp, iat, jti, iss, typ: c.typ, azp, sid, sub, scope: typeof scope === 'string' ? scope : '' };
  }

  /** An access token signed by this realm's key (typ Bearer); expiry and revocation are the caller's to judge. */
  async readAccessToken(token: string): Promise<JWTPayload | undefined> {
    const c = await verifiedPayload(token, this.keys.verifying, 'RS256');
    if (!c || c.typ !== 'Bearer' || c.iss !== this.issuer || typeof c.exp !== 'number' || typeof c.sub !== 'string')
      return undefined;
    return c as JWTPayload;
  }

  private async accessToken(
    user: User,
    client: RealmClient,
    grant: ScopeGrant,
    exp: number,
    extra: JWTPayload,
  ): Promise<string> {
    const { aud, ...roles } = roleClaims(this.realm.name, user, client.clientId);
    const origins = allowedOrigins(client);
    const { sid, ...rest } = extra;
    return this.sign({
      exp,
      iat: this.sessions.now(),
      jti: randomUUID(),
      iss: this.issuer,
      ...(aud === undefined ? {} : { aud }),
      sub: user.id,
      typ: 'Bearer',
      azp: client.clientId,
      ...(sid === undefined ? {} : { sid }),
      acr: '1',
      ...(origins.length > 0 ? { 'allowed-origins': origins } : {}),
      ...roles,
      scope: grant.scope,
      ...rest,
      ...profileClaims(user),
      ...optionalScopeClaims(this.realm.name, user, grant.fullScope),
    });
  }

  private async idToken(
    user: User,
    client: RealmClient,
    grant: ScopeGrant,
    exp: number,
    accessToken: string,
    at: { authTime: number | undefined; sid?: string; nonce?: string | undefined },
  ): Promise<string> {
    return this.sign({
      exp,
      iat: this.sessions.now(),
      ...(at.authTime === undefined ? {} : { auth_time: at.authTime }),
      jti: randomUUID(),
      iss: this.issuer,
      aud: client.clientId,
      sub: user.id,
      typ: 'ID',
      azp: client.clientId,
      ...(at.nonce === undefined ? {} : { nonce: at.nonce }),
      ...(at.sid === undefined ? {} : { sid: at.sid }),
      at_hash: atHash(accessToken),
      acr: '1',
      ...profileClaims(user),
      ...optionalScopeClaims(this.realm.name, user, grant.fullScope),
    });
  }

  private async sign(claims: JWTPayload): Promise<string> {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.keys.kid })
      .sign(this.keys.signing);
  }
}

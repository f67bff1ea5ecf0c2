import { randomBytes, randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK, type JWTPayload } from 'jose';
import { userId, type Realm, type RealmClient, type RealmUser } from './realm.js';
import type { UserSession } from './sessions.js';

/** The realm's keys: the RS256 pair published in the JWKS, and the secret refresh tokens are signed with (never published). */
export interface DevIdpKeys {
  privateJwk: JWK;
  refreshSecret: string;
}

export async function generateKeys(): Promise<DevIdpKeys> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const privateJwk = { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: 'RS256', use: 'sig' };
  return { privateJwk, refreshSecret: randomBytes(64).toString('base64url') };
}

export function publicJwk({ privateJwk }: DevIdpKeys): JWK {
  const { kty, n, e, kid, alg, use } = privateJwk;
  return { kty, n, e, kid, alg, use };
}

// Keycloak's default realm roles, composed into default-roles-<realm> and granted to every user.
const DEFAULT_ROLES = ['offline_access', 'uma_authorization'];
const ACCOUNT_ROLES = ['manage-account', 'manage-account-links', 'view-profile'];

export interface IssuedTokens {
  access_token: string;
  expires_in: number;
  refresh_expires_in?: number;
  refresh_token?: string;
  token_type: 'Bearer';
  id_token?: string;
  'not-before-policy': 0;
  session_state?: string;
  scope: string;
}

/** Mints tokens with Keycloak's shapes: RS256 JWT access and ID tokens, HS512 JWT refresh tokens of type "Refresh". */
export class TokenMinter {
  private signingKey: CryptoKey | undefined;
  private readonly refreshKey: Uint8Array;

  constructor(
    private readonly realm: Realm,
    readonly issuer: string,
    private readonly keys: DevIdpKeys,
    private readonly now: () => number,
  ) {
    this.refreshKey = new TextEncoder().encode(keys.refreshSecret);
  }

  async issue(options: {
    user: RealmUser;
    client: RealmClient;
    scope: string;
    session?: UserSession;
    /** When a refresh token issued at `nowMs` expires; no refresh token without it. */
    refreshExpiry?: (nowMs: number) => number;
  }): Promise<IssuedTokens> {
    const { user, client, scope, session } = options;
    // One reading of the clock for every time in the answer, so expires_in and the tokens' exp agree to the second.
    const nowMs = this.now();
    const nowSeconds = Math.floor(nowMs / 1000);
    const lifespan = this.realm.accessTokenLifespan;
    const sub = userId(this.realm.realm, user);
    const profile = profileClaims(user);
    const accessToken = await this.sign({
      exp: nowSeconds + lifespan,
      iat: nowSeconds,
      jti: randomUUID(),
      iss: this.issuer,
      aud: 'account',
      sub,
      typ: 'Bearer',
      azp: client.clientId,
      ...(session ? { sid: session.id } : {}),
      acr: '1',
      'allowed-origins': allowedOrigins(client),
      realm_access: { roles: [`default-roles-${this.realm.realm}`, ...DEFAULT_ROLES, ...user.realmRoles] },
      resource_access: { account: { roles: ACCOUNT_ROLES } },
      scope,
      ...profile,
    });
    const tokens: IssuedTokens = { access_token: accessToken, expires_in: lifespan, token_type: 'Bearer', 'not-before-policy': 0, scope };
    if (session && options.refreshExpiry) {
      const refreshId = randomUUID();
      const refreshExp = Math.floor(options.refreshExpiry(nowMs) / 1000);
      session.issued.set(refreshId, nowMs);
      tokens.refresh_expires_in = Math.max(0, refreshExp - nowSeconds);
      tokens.refresh_token = await new SignJWT({ typ: 'Refresh', azp: client.clientId, sid: session.id, scope })
        .setProtectedHeader({ alg: 'HS512', typ: 'JWT' })
        .setIssuer(this.issuer)
        .setAudience(this.issuer)
        .setSubject(sub)
        .setJti(refreshId)
        .setIssuedAt(nowSeconds)
        .setExpirationTime(refreshExp)
        .sign(this.refreshKey);
      tokens.session_state = session.id;
    }
    if (scope.split(' ').includes('openid')) {
      tokens.id_token = await this.sign({
        exp: nowSeconds + lifespan,
        iat: nowSeconds,
        auth_time: session ? Math.floor(session.started / 1000) : nowSeconds,
        jti: randomUUID(),
        iss: this.issuer,
        aud: client.clientId,
        sub,
        typ: 'ID',
        azp: client.clientId,
        ...(session ? { sid: session.id } : {}),
        acr: '1',
        ...profile,
      });
    }
    return tokens;
  }

  /** The claims of a refresh token this realm signed, whatever its expiry; undefined for anything else. */
  async readRefreshToken(token: string): Promise<JWTPayload | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.refreshKey, {
        algorithms: ['HS512'],
        issuer: this.issuer,
        // Expiry is the caller's decision: Keycloak's logout accepts an expired refresh token.
        currentDate: new Date(0),
      });
      return payload.typ === 'Refresh' ? payload : undefined;
    } catch {
      return undefined;
    }
  }

  /** The claims of an unexpired access token this realm signed; undefined for anything else. */
  async readAccessToken(token: string): Promise<JWTPayload | undefined> {
    try {
      const key = await importJWK(publicJwk(this.keys), 'RS256');
      const { payload } = await jwtVerify(token, key, { algorithms: ['RS256'], issuer: this.issuer, currentDate: new Date(this.now()) });
      return payload.typ === 'Bearer' ? payload : undefined;
    } catch {
      return undefined;
    }
  }

  private async sign(claims: JWTPayload): Promise<string> {
    this.signingKey ??= (await importJWK(this.keys.privateJwk, 'RS256')) as CryptoKey;
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.keys.privateJwk.kid ?? '' }).sign(this.signingKey);
  }
}

function profileClaims(user: RealmUser): JWTPayload {
  const name = [user.firstName, user.lastName].filter(Boolean).join(' ');
  return {
    email_verified: user.emailVerified,
    ...(name ? { name } : {}),
    preferred_username: user.username,
    ...(user.firstName ? { given_name: user.firstName } : {}),
    ...(user.lastName ? { family_name: user.lastName } : {}),
    ...(user.email ? { email: user.email } : {}),
  };
}

/** Keycloak's "+" in webOrigins means: the origins of the redirect URIs. */
function allowedOrigins(client: RealmClient): string[] {
  const origins = new Set<string>();
  for (const origin of client.webOrigins) {
    if (origin !== '+') origins.add(origin);
    else {
      for (const uri of client.redirectUris) {
        try {
          origins.add(new URL(uri.replace(/\*$/, '')).origin);
        } catch {
          // a pattern that is not a URL has no origin
        }
      }
    }
  }
  return [...origins];
}

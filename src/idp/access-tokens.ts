import { decodeJwt, type JWTPayload } from 'jose';
import { userFromClaims } from './claims.js';
import type { TokenCheck, TokenSet, VerifiedAccessToken } from './identity-provider.js';
import type { User } from '../contract/user.js';
import type { Connection } from './provider-discovery.js';
import { translateProviderError } from './translate-error.js';

/**
 * Reads the provider's access tokens for the gateway: a JWT against the provider's key set, an opaque one by asking
 * the provider, and in both cases the user card the roles claim describes.
 */
export class AccessTokens {
  constructor(private readonly rolesClaim: string) {}

  /** A client's access token: the token's user, id, session and expiry, or the refusal. */
  async verify({ verifier, opaque }: Connection, accessToken: string): Promise<TokenCheck> {
    if (opaque) {
      const checked = await opaque.check(accessToken);
      // An opaque token's digest stands for its id: the logout denylist refuses this very token.
      return checked.ok ? { ok: true, token: this.tokenOf(checked.claims, checked.key, checked.expiresAt) } : checked;
    }
    const checked = await verifier.verify(accessToken);
    if (!checked.ok) return checked;
    const { claims } = checked;
    const jti = typeof claims.jti === 'string' ? claims.jti : undefined;
    return { ok: true, token: this.tokenOf(claims, jti, claims.exp ?? 0) };
  }

  /**
   * An access token the provider's token endpoint has just issued for a login, verified (and so remembered for a
   * verify that follows). Throws the provider's fault when it does not verify: the provider issued it.
   */
  async verifyIssued({ verifier, opaque }: Connection, accessToken: string): Promise<User> {
    let claims: JWTPayload;
    if (opaque) {
      const checked = await opaque.check(accessToken);
      if (!checked.ok) {
        throw translateProviderError(
          new Error('the provider does not know the access token it has just issued'),
          'issued_token',
        );
      }
      claims = checked.claims;
    } else {
      claims = await verifier.verifyIssued(accessToken);
    }
    return userFromClaims(claims, this.rolesClaim);
  }

  /**
   * The user as a refreshed JWT access token describes it (roles may have changed); none for an opaque one. The token
   * came straight from the provider's token endpoint over the back channel, so it is read without a signature check:
   * nothing may fail between receiving rotated tokens and storing them, or the only valid refresh token would be lost.
   */
  async userOfRefreshed({ verifier, opaque }: Connection, tokens: TokenSet): Promise<{ user?: User }> {
    if (opaque) return {};
    await verifier.expectKeyOf(tokens.access_token);
    try {
      return { user: userFromClaims(decodeJwt(tokens.access_token), this.rolesClaim) };
    } catch {
      return {};
    }
  }

  private tokenOf(claims: JWTPayload, jti: string | undefined, expiresAt: number): VerifiedAccessToken {
    const sid = typeof claims.sid === 'string' ? claims.sid : undefined;
    return { user: userFromClaims(claims, this.rolesClaim), jti, sid, expiresAt };
  }
}

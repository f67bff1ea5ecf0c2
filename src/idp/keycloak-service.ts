import { decodeJwt, type JWTPayload } from 'jose';
import * as client from 'openid-client';
import type { Clock } from '../support/clock.js';
import { describeError } from '../observability/describe-error.js';
import type { Logger } from '../observability/logger.js';
import { userFromClaims } from './claims.js';
import type {
  AuthorizationCallback,
  AuthorizationRequest,
  IdentityProvider,
  LoginResult,
  LogoutResult,
  PasswordLogin,
  Readiness,
  RefreshResult,
  Refused,
  TokenCheck,
  TokenSet,
  VerifiedAccessToken,
} from './identity-provider.js';
import type { User } from '../contract/user.js';
import type { OpaqueTokenCheck } from './opaque-token-check.js';
import { toTokenSet, withOpenId } from './token-set.js';
import { DIALECTS, type Dialect } from './dialects.js';
import { discoverProvider, type Connection } from './provider-discovery.js';
import { ProviderResponseError } from './provider-response-error.js';
import { providerFetch, type Fetch } from './provider-fetch.js';
import { providerFailure, refusedOrThrown, translateProviderError, type ProviderOperation } from './translate-error.js';

export interface KeycloakServiceOptions {
  /**
   * Keycloak's base URL, e.g. http://localhost:8080 (no /realms part): every call of the gateway goes there. Unset for
   * another provider, which is reached at its issuer.
   */
  url?: string | undefined;
  realm: string;
  /**
   * The issuer the provider announces. Keycloak: only when it is not `<url>/realms/<realm>`, i.e. Keycloak with a fixed
   * front-end hostname for browsers and a dynamic back channel for the gateway (docker-compose.yml). Any other
   * provider: its issuer, where discovery is read.
   */
  issuer?: string | undefined;
  /** How the provider speaks (idp/dialects.ts); Keycloak's when unset. */
  dialect?: Dialect;
  /** Where the roles are (ROLES_CLAIM); the dialect's when unset. */
  rolesClaim?: string | undefined;
  /** JWT or opaque access tokens (IDP_ACCESS_TOKENS); the dialect's when unset. */
  accessTokens?: 'jwt' | 'opaque' | undefined;
  clientId: string;
  clientSecret: string;
  timeoutMs: number;
  /** Plain http to the provider; only ever true by explicit configuration. */
  allowHttp: boolean;
  logger: Logger;
  clock: Clock;
  /** Wraps the gateway's own client (its deadline included): how tests count, slow or fake what reaches the provider. */
  wrapFetch?: (network: Fetch) => Fetch;
}

/**
 * Talks OpenID Connect to one Keycloak realm, or to any other provider through its dialect (idp/dialects.ts): the
 * same calls, read and translated as that provider speaks. Discovery happens on first use and is retried on the next
 * call after a failure, so the gateway starts while the provider is down and serves as soon as it is back.
 */
export class KeycloakService implements IdentityProvider {
  private connection: Promise<Connection> | undefined;
  private readonly fetch: Fetch;
  /** The realm at the URL the gateway reaches Keycloak by. */
  private readonly realmUrl: string;
  /** The issuer the discovery document must announce, and the tokens carry. */
  readonly issuer: string;
  readonly dialect: Dialect;
  private readonly rolesClaim: string;

  constructor(private readonly options: KeycloakServiceOptions) {
    const network = providerFetch(options.timeoutMs);
    this.fetch = options.wrapFetch ? options.wrapFetch(network) : network;
    this.dialect = options.dialect ?? DIALECTS.keycloak;
    this.rolesClaim = options.rolesClaim ?? this.dialect.rolesClaim;
    if (this.dialect.name === 'keycloak') {
      if (!options.url) throw new Error('KeycloakService: a Keycloak needs its base URL');
      this.realmUrl = `${options.url}/realms/${encodeURIComponent(options.realm)}`;
      this.issuer = options.issuer ?? this.realmUrl;
    } else {
      if (!options.issuer) throw new Error(`KeycloakService: the ${this.dialect.name} dialect needs the issuer`);
      this.realmUrl = options.issuer;
      this.issuer = options.issuer;
    }
  }

  async passwordLogin({ username, password, scope }: PasswordLogin): Promise<LoginResult> {
    const connection = await this.connect();
    const { config } = connection;
    if (!this.offersPasswordGrant(connection)) return { ok: false, error: { code: 'password_login_unavailable' } };
    const parameters: Record<string, string> = {
      username,
      password,
      scope: withOpenId(scope, this.dialect.baseScopes),
    };
    let tokens: TokenSet;
    try {
      tokens = toTokenSet(await client.genericGrantRequest(config, 'password', parameters));
    } catch (err) {
      return refusedOrThrown(await ProviderResponseError.readUnread(err), 'login', this.dialect);
    }
    return this.verifiedIssue(connection, tokens);
  }

  /**
   * Whether the provider has the password grant: always for Keycloak and the hosted dialects (where a client without
   * it is refused as a deployment fault); for another provider, what its discovery document lists. Throws while the
   * provider cannot be reached.
   */
  async passwordGrantOffered(): Promise<boolean> {
    return this.offersPasswordGrant(await this.connect());
  }

  private offersPasswordGrant(connection: Connection): boolean {
    if (this.dialect.passwordGrant !== 'discovery') return true;
    return connection.grantTypes?.includes('password') ?? false;
  }

  async refresh(refreshToken: string): Promise<RefreshResult> {
    const { config, verifier, opaque } = await this.connect();
    let tokens: TokenSet;
    try {
      tokens = toTokenSet(await client.refreshTokenGrant(config, refreshToken));
    } catch (err) {
      return refusedOrThrown(err, 'refresh', this.dialect);
    }
    if (opaque) return { ok: true, tokens };
    await verifier.expectKeyOf(tokens.access_token);
    return { ok: true, tokens, ...this.unverifiedUser(tokens) };
  }

  /**
   * The user as a refreshed JWT access token describes it (roles may have changed). The token came straight from the
   * provider's token endpoint over the back channel, so it is read without a signature check: nothing may fail between
   * receiving rotated tokens and storing them, or the only valid refresh token would be lost.
   */
  private unverifiedUser(tokens: TokenSet): { user?: User } {
    try {
      return { user: userFromClaims(decodeJwt(tokens.access_token), this.rolesClaim) };
    } catch {
      return {};
    }
  }

  async authorizationUrl({ redirectUri, state, nonce, codeChallenge, scope }: AuthorizationRequest): Promise<string> {
    const { config } = await this.connect();
    const parameters = {
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: withOpenId(scope, this.dialect.baseScopes),
      state,
      nonce,
      code_challenge: codeChallenge,
      code_challenge_method: 'S256',
    };
    return client.buildAuthorizationUrl(config, parameters).href;
  }

  async exchangeCode({
    callbackUrl,
    redirectUri,
    state,
    nonce,
    codeVerifier,
  }: AuthorizationCallback): Promise<LoginResult> {
    const connection = await this.connect();
    const { config } = connection;
    let tokens: TokenSet;
    try {
      const checks = {
        pkceCodeVerifier: codeVerifier,
        expectedState: state,
        expectedNonce: nonce,
        idTokenExpected: true,
      };
      tokens = toTokenSet(
        await client.authorizationCodeGrant(config, callbackUrl, checks, { redirect_uri: redirectUri }),
      );
    } catch (err) {
      return refusedOrThrown(err, 'callback', this.dialect);
    }
    return this.verifiedIssue(connection, tokens);
  }

  /**
   * Tokens the provider has just issued for a login, with the user their access token names once verified (and so
   * remembered for a verifyAccessToken that follows). One that does not verify is the provider's fault, and its
   * session is ended: nobody will ever hold these tokens.
   */
  private async verifiedIssue({ verifier, opaque }: Connection, tokens: TokenSet): Promise<LoginResult> {
    let claims: JWTPayload;
    try {
      claims = opaque
        ? await this.issuedOpaque(opaque, tokens.access_token)
        : await verifier.verifyIssued(tokens.access_token);
    } catch (err) {
      const { refresh_token } = tokens;
      if (refresh_token) {
        this.logout(refresh_token).catch((failure: unknown) => {
          this.options.logger.warn('auth.login.session_not_ended', {
            event: 'auth.login.session_not_ended',
            cause: describeError(failure),
          });
        });
      }
      throw err;
    }
    return { ok: true, tokens, user: userFromClaims(claims, this.rolesClaim) };
  }

  /** An opaque access token just issued: the provider must know it, or the fault is the provider's. */
  private async issuedOpaque(opaque: OpaqueTokenCheck, token: string): Promise<JWTPayload> {
    const checked = await opaque.check(token);
    if (checked.ok) return checked.claims;
    throw translateProviderError(
      new Error('the provider does not know the access token it has just issued'),
      'issued_token',
    );
  }

  async clientCredentials(clientId: string, clientSecret: string): Promise<RefreshResult> {
    const { tokenEndpoint } = await this.connect();
    const body = { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret };
    const posted = await this.postForm(tokenEndpoint, body, 'client_credentials', [200]);
    if (!posted.ok) return posted;
    const answer = (await posted.response.json().catch(() => undefined)) as
      Partial<client.TokenEndpointResponse> | undefined;
    if (typeof answer?.access_token !== 'string') {
      return refusedOrThrown(new ProviderResponseError(502, undefined, undefined), 'client_credentials');
    }
    return { ok: true, tokens: toTokenSet(answer as client.TokenEndpointResponse) };
  }

  /**
   * Ends the provider's session the refresh token belongs to: Keycloak's back-channel logout (204, also when already
   * ended), or RFC 7009 revocation of the refresh token (200, also for a token already gone). A provider with neither
   * keeps its session: only the gateway's ends (said at start).
   */
  async logout(refreshToken: string): Promise<LogoutResult> {
    const { logout } = await this.connect();
    if (!logout) return { ok: true };
    const { clientId, clientSecret } = this.options;
    const body: Record<string, string> =
      logout.style === 'keycloak'
        ? { client_id: clientId, client_secret: clientSecret, refresh_token: refreshToken }
        : { client_id: clientId, client_secret: clientSecret, token: refreshToken, token_type_hint: 'refresh_token' };
    const posted = await this.postForm(logout.endpoint, body, 'logout', [200, 204]);
    if (!posted.ok) return posted;
    await posted.response.body?.cancel();
    return { ok: true };
  }

  /**
   * A form POST to an endpoint openid-client does not cover (Keycloak's back-channel logout, RFC 7009 revocation, a
   * caller's own client credentials): the answer when its status is expected, else the refusal or the thrown fault.
   */
  private async postForm(
    url: string,
    form: Record<string, string>,
    operation: ProviderOperation,
    expected: readonly number[],
  ): Promise<{ ok: true; response: Response } | Refused> {
    let response: Response;
    try {
      response = await this.fetch(url, {
        method: 'POST',
        body: new URLSearchParams(form),
        headers: { accept: 'application/json' },
        redirect: 'manual',
      });
    } catch (err) {
      return refusedOrThrown(err, operation, this.dialect);
    }
    if (expected.includes(response.status)) return { ok: true, response };
    return refusedOrThrown(await ProviderResponseError.from(response), operation, this.dialect);
  }

  async verifyAccessToken(accessToken: string): Promise<TokenCheck> {
    const { verifier, opaque } = await this.connect();
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

  private tokenOf(claims: JWTPayload, jti: string | undefined, expiresAt: number): VerifiedAccessToken {
    const sid = typeof claims.sid === 'string' ? claims.sid : undefined;
    return { user: userFromClaims(claims, this.rolesClaim), jti, sid, expiresAt };
  }

  async checkReady(): Promise<Readiness> {
    try {
      const { jwksUri } = await this.connect();
      const response = await this.fetch(jwksUri, { headers: { accept: 'application/json' } });
      const body: unknown = await response.json().catch(() => undefined);
      if (response.ok && body && typeof body === 'object' && Array.isArray((body as { keys?: unknown }).keys))
        return { ok: true };
      return {
        ok: false,
        error: providerFailure(new ProviderResponseError(response.status, undefined, undefined), 'jwks'),
      };
    } catch (err) {
      return { ok: false, error: providerFailure(err, 'jwks') };
    }
  }

  private connect(): Promise<Connection> {
    this.connection ??= discoverProvider({
      ...this.options,
      discoveryBase: this.realmUrl,
      issuer: this.issuer,
      dialect: this.dialect,
      accessTokens: this.options.accessTokens ?? this.dialect.accessTokens,
      fetch: this.fetch,
    }).catch((err: unknown) => {
      this.connection = undefined;
      throw translateProviderError(err, 'discovery' satisfies ProviderOperation);
    });
    return this.connection;
  }
}

import * as client from 'openid-client';
import type { Clock } from '../support/clock.js';
import { describeError } from '../observability/describe-error.js';
import type { Logger } from '../observability/logger.js';
import { AccessTokens } from './access-tokens.js';
import type {
  AuthorizationCallback,
  AuthorizationRequest,
  IdentityProvider,
  LoginResult,
  LogoutResult,
  PasswordLogin,
  Readiness,
  RefreshResult,
  TokenCheck,
  TokenSet,
} from './identity-provider.js';
import { toTokenSet, withOpenId } from './token-set.js';
import { DIALECTS, type Dialect } from './dialects.js';
import { discoverProvider, type Connection } from './provider-discovery.js';
import { ProviderResponseError } from './provider-response-error.js';
import { providerFetch, type Fetch } from './provider-fetch.js';
import { postForm } from './provider-form.js';
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
  private readonly accessTokens: AccessTokens;

  constructor(private readonly options: KeycloakServiceOptions) {
    const network = providerFetch(options.timeoutMs);
    this.fetch = options.wrapFetch ? options.wrapFetch(network) : network;
    this.dialect = options.dialect ?? DIALECTS.keycloak;
    this.accessTokens = new AccessTokens(options.rolesClaim ?? this.dialect.rolesClaim);
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
    const connection = await this.connect();
    let tokens: TokenSet;
    try {
      tokens = toTokenSet(await client.refreshTokenGrant(connection.config, refreshToken));
    } catch (err) {
      return refusedOrThrown(err, 'refresh', this.dialect);
    }
    return { ok: true, tokens, ...(await this.accessTokens.userOfRefreshed(connection, tokens)) };
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
   * Tokens the provider has just issued for a login, with the user their access token names once verified. One that
   * does not verify is the provider's fault, and its session is ended: nobody will ever hold these tokens.
   */
  private async verifiedIssue(connection: Connection, tokens: TokenSet): Promise<LoginResult> {
    try {
      return { ok: true, tokens, user: await this.accessTokens.verifyIssued(connection, tokens.access_token) };
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
  }

  async clientCredentials(clientId: string, clientSecret: string): Promise<RefreshResult> {
    const { tokenEndpoint } = await this.connect();
    const body = { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret };
    const posted = await postForm(this.fetch, this.dialect, tokenEndpoint, body, 'client_credentials', [200]);
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
    const posted = await postForm(this.fetch, this.dialect, logout.endpoint, body, 'logout', [200, 204]);
    if (!posted.ok) return posted;
    await posted.response.body?.cancel();
    return { ok: true };
  }

  async verifyAccessToken(accessToken: string): Promise<TokenCheck> {
    return this.accessTokens.verify(await this.connect(), accessToken);
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

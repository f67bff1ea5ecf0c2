import type { JWTPayload } from 'jose';
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
  TokenCheck,
  TokenSet,
} from './identity-provider.js';
import type { AccessTokenVerifier } from './access-token-verifier.js';
import { toTokenSet, withOpenId } from './token-set.js';
import { discoverRealm, type Connection } from './keycloak-discovery.js';
import { ProviderResponseError } from './provider-response-error.js';
import { providerFetch, type Fetch } from './provider-fetch.js';
import { providerFailure, refusedOrThrown, translateProviderError, type ProviderOperation } from './translate-error.js';

export interface KeycloakServiceOptions {
  /** Keycloak's base URL, e.g. http://localhost:8080 (no /realms part): every call of the gateway goes there. */
  url: string;
  realm: string;
  /**
   * The issuer Keycloak announces, when it is not `<url>/realms/<realm>`: Keycloak with a fixed front-end hostname
   * for browsers and a dynamic back channel for the gateway (docker-compose.yml). Default: `<url>/realms/<realm>`.
   */
  issuer?: string | undefined;
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
 * Talks OpenID Connect to one Keycloak realm. Discovery happens on first use and is retried on the next call after a
 * failure, so the gateway starts while Keycloak is down and serves as soon as it is back, without a restart.
 */
export class KeycloakService implements IdentityProvider {
  private connection: Promise<Connection> | undefined;
  private readonly fetch: Fetch;
  /** The realm at the URL the gateway reaches Keycloak by. */
  private readonly realmUrl: string;
  /** The issuer the discovery document must announce, and the tokens carry. */
  readonly issuer: string;

  constructor(private readonly options: KeycloakServiceOptions) {
    const network = providerFetch(options.timeoutMs);
    this.fetch = options.wrapFetch ? options.wrapFetch(network) : network;
    this.realmUrl = `${options.url}/realms/${encodeURIComponent(options.realm)}`;
    this.issuer = options.issuer ?? this.realmUrl;
  }

  async passwordLogin({ username, password, scope }: PasswordLogin): Promise<LoginResult> {
    const { config, verifier } = await this.connect();
    const parameters: Record<string, string> = { username, password, scope: withOpenId(scope) };
    let tokens: TokenSet;
    try {
      tokens = toTokenSet(await client.genericGrantRequest(config, 'password', parameters));
    } catch (err) {
      return refusedOrThrown(err, 'login');
    }
    return this.verifiedIssue(verifier, tokens);
  }

  async refresh(refreshToken: string): Promise<RefreshResult> {
    const { config, verifier } = await this.connect();
    let tokens: TokenSet;
    try {
      tokens = toTokenSet(await client.refreshTokenGrant(config, refreshToken));
    } catch (err) {
      return refusedOrThrown(err, 'refresh');
    }
    await verifier.expectKeyOf(tokens.access_token);
    return { ok: true, tokens };
  }

  async authorizationUrl({ redirectUri, state, nonce, codeChallenge, scope }: AuthorizationRequest): Promise<string> {
    const { config } = await this.connect();
    const parameters = {
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: withOpenId(scope),
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
    const { config, verifier } = await this.connect();
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
      return refusedOrThrown(err, 'callback');
    }
    return this.verifiedIssue(verifier, tokens);
  }

  /**
   * Tokens the provider has just issued for a login, with the user their access token names once verified (and so
   * remembered for a verifyAccessToken that follows). One that does not verify is the provider's fault, and its
   * session is ended: nobody will ever hold these tokens.
   */
  private async verifiedIssue(verifier: AccessTokenVerifier, tokens: TokenSet): Promise<LoginResult> {
    let claims: JWTPayload;
    try {
      claims = await verifier.verifyIssued(tokens.access_token);
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
    return { ok: true, tokens, user: userFromClaims(claims) };
  }

  async clientCredentials(clientId: string, clientSecret: string): Promise<RefreshResult> {
    const { tokenEndpoint } = await this.connect();
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
    });
    let response: Response;
    try {
      response = await this.fetch(tokenEndpoint, {
        method: 'POST',
        body,
        headers: { accept: 'application/json' },
        redirect: 'manual',
      });
    } catch (err) {
      return refusedOrThrown(err, 'client_credentials');
    }
    if (response.status !== 200) {
      return refusedOrThrown(await ProviderResponseError.from(response), 'client_credentials');
    }
    const answer = (await response.json().catch(() => undefined)) as Partial<client.TokenEndpointResponse> | undefined;
    if (typeof answer?.access_token !== 'string') {
      return refusedOrThrown(new ProviderResponseError(502, undefined, undefined), 'client_credentials');
    }
    return { ok: true, tokens: toTokenSet(answer as client.TokenEndpointResponse) };
  }

  /** Keycloak's back-channel logout: ends the user session the refresh token belongs to (204, also when already ended). */
  async logout(refreshToken: string): Promise<LogoutResult> {
    const { logoutEndpoint } = await this.connect();
    const body = new URLSearchParams({
      client_id: this.options.clientId,
      client_secret: this.options.clientSecret,
      refresh_token: refreshToken,
    });
    let response: Response;
    try {
      response = await this.fetch(logoutEndpoint, {
        method: 'POST',
        body,
        headers: { accept: 'application/json' },
        redirect: 'manual',
      });
    } catch (err) {
      return refusedOrThrown(err, 'logout');
    }
    if (response.status === 204 || response.status === 200) {
      await response.body?.cancel();
      return { ok: true };
    }
    return refusedOrThrown(await ProviderResponseError.from(response), 'logout');
  }

  async verifyAccessToken(accessToken: string): Promise<TokenCheck> {
    const { verifier } = await this.connect();
    const checked = await verifier.verify(accessToken);
    if (!checked.ok) return checked;
    const { claims } = checked;
    const token = {
      user: userFromClaims(claims),
      jti: typeof claims.jti === 'string' ? claims.jti : undefined,
      sid: typeof claims.sid === 'string' ? claims.sid : undefined,
      expiresAt: claims.exp ?? 0,
    };
    return { ok: true, token };
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
    this.connection ??= discoverRealm({
      ...this.options,
      realmUrl: this.realmUrl,
      issuer: this.issuer,
      fetch: this.fetch,
    }).catch((err: unknown) => {
      this.connection = undefined;
      throw translateProviderError(err, 'discovery' satisfies ProviderOperation);
    });
    return this.connection;
  }
}

import * as client from 'openid-client';
import type { Logger } from '../observability/logger.js';
import type { Clock } from '../support/clock.js';
import { AccessTokenVerifier } from './access-token-verifier.js';
import type { Dialect } from './dialects.js';
import { OpaqueTokenCheck } from './opaque-token-check.js';
import type { Fetch } from './provider-fetch.js';

/** What the gateway learns from a provider's discovery document, and how it checks the provider's access tokens. */
export interface Connection {
  config: client.Configuration;
  /** Checks JWT access tokens; also used on opaque providers for nothing but the key set's readiness. */
  verifier: AccessTokenVerifier;
  /** Set when access tokens are opaque: the provider is asked. */
  opaque: OpaqueTokenCheck | undefined;
  /** Keycloak's back-channel logout, or RFC 7009 revocation; undefined: logout ends only the gateway's session. */
  logout: { style: 'keycloak' | 'revocation'; endpoint: string } | undefined;
  tokenEndpoint: string;
  jwksUri: string;
  /** The discovery document's grant_types_supported, when it has one. */
  grantTypes: readonly string[] | undefined;
}

export interface DiscoveryOptions {
  /** Where the gateway reads `/.well-known/openid-configuration`: Keycloak's realm at its back-channel URL, or the issuer. */
  discoveryBase: string;
  /** The issuer the discovery document must announce. */
  issuer: string;
  dialect: Dialect;
  accessTokens: 'jwt' | 'opaque';
  fetch: Fetch;
  clientId: string;
  clientSecret: string;
  allowHttp: boolean;
  timeoutMs: number;
  clock: Clock;
  logger: Logger;
}

/** Reads the provider's discovery document at the back channel's URL; throws what the caller translates. */
export async function discoverProvider(options: DiscoveryOptions): Promise<Connection> {
  const { discoveryBase, issuer, dialect, fetch, clientId, clientSecret, allowHttp, timeoutMs, clock, logger } =
    options;
  // Discovery at the back channel's own URL, so that the issuer is ours to check: openid-client compares it with the
  // URL it fetched, which differs from the issuer when Keycloak has a front-end hostname.
  const discoveryUrl = new URL(`${discoveryBase.replace(/\/$/, '')}/.well-known/openid-configuration`);
  const config = await client.discovery(discoveryUrl, clientId, undefined, client.ClientSecretPost(clientSecret), {
    [client.customFetch]: (url: string, init: client.CustomFetchOptions) => fetch(url, init as RequestInit),
    execute: allowHttp ? [client.allowInsecureRequests] : [],
    // Our own deadline (providerFetch) is the one that should fire; openid-client's is a backstop here.
    timeout: Math.ceil(timeoutMs / 1000) + 1,
  });
  // From now on only our deadline: openid-client's backstop costs an AbortSignal.timeout per call, and its timer
  // goes on to fire, and to build an exception, seconds after every call that had long finished.
  config.timeout = 0;
  const metadata = config.serverMetadata();
  if (metadata.issuer !== issuer) {
    // RFC 8414 section 3.3: the announced issuer must be the one expected, exactly.
    throw Object.assign(new Error(`the provider announces the issuer ${metadata.issuer}, not ${issuer}`), {
      code: 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED',
    });
  }
  if (!metadata.jwks_uri) throw new Error('the provider publishes no jwks_uri');
  if (!metadata.token_endpoint) throw new Error('the provider publishes no token_endpoint');
  logger.info('idp.discovered', { event: 'idp.discovered', issuer: metadata.issuer, dialect: dialect.name });
  const logout = logoutOf(dialect, discoveryBase, metadata.revocation_endpoint);
  if (!logout && dialect.logout === 'revocation') {
    // What the dialect expected and the provider does not offer: the dialect's start-up warning cannot know this.
    logger.warn('the provider offers no revocation endpoint: logout ends only the gateway session', {
      event: 'idp.logout_local',
      issuer: metadata.issuer,
      reason: 'the discovery document lists no revocation_endpoint',
      consequence: "the provider's session and the refresh token stay valid until they expire",
    });
  }
  const keycloak = dialect.name === 'keycloak';
  const opaque =
    options.accessTokens === 'opaque'
      ? new OpaqueTokenCheck({
          introspectionEndpoint: metadata.introspection_endpoint,
          userinfoEndpoint: metadata.userinfo_endpoint,
          clientId,
          clientSecret,
          fetch,
          clock,
        })
      : undefined;
  return {
    config,
    jwksUri: metadata.jwks_uri,
    opaque,
    // Keycloak: not the announced end_session_endpoint, which is the browsers' logout at the front-end hostname that
    // the gateway may not reach (in docker-compose.yml, localhost:8080 is the gateway's own container).
    logout,
    // Keycloak: the back channel's URL, as for logout; openid-client's own grants keep the announced endpoint.
    tokenEndpoint: keycloak ? `${discoveryBase}/protocol/openid-connect/token` : metadata.token_endpoint,
    grantTypes: Array.isArray(metadata.grant_types_supported) ? metadata.grant_types_supported : undefined,
    verifier: new AccessTokenVerifier({
      issuer: metadata.issuer,
      jwksUri: metadata.jwks_uri,
      accessTokenType: dialect.accessTokenType,
      clientClaims: dialect.clientClaims,
      clientId,
      fetch,
      timeoutMs,
      clock,
      logger,
    }),
  };
}

function logoutOf(dialect: Dialect, discoveryBase: string, revocation: string | undefined): Connection['logout'] {
  if (dialect.logout === 'keycloak')
    return { style: 'keycloak', endpoint: `${discoveryBase}/protocol/openid-connect/logout` };
  if (dialect.logout === 'revocation' && revocation) return { style: 'revocation', endpoint: revocation };
  return undefined;
}

import * as client from 'openid-client';
import type { Logger } from '../observability/logger.js';
import type { Clock } from '../support/clock.js';
import { AccessTokenVerifier } from './access-token-verifier.js';
import type { Fetch } from './provider-fetch.js';

/** What the gateway learns from a realm's discovery document, and the verifier of its access tokens. */
export interface Connection {
  config: client.Configuration;
  verifier: AccessTokenVerifier;
  logoutEndpoint: string;
  tokenEndpoint: string;
  jwksUri: string;
}

export interface DiscoveryOptions {
  /** The realm at the URL the gateway reaches Keycloak by. */
  realmUrl: string;
  /** The issuer the discovery document must announce. */
  issuer: string;
  fetch: Fetch;
  clientId: string;
  clientSecret: string;
  allowHttp: boolean;
  timeoutMs: number;
  clock: Clock;
  logger: Logger;
}

/** Reads the realm's discovery document at the back channel's URL; throws what the caller translates. */
export async function discoverRealm(options: DiscoveryOptions): Promise<Connection> {
  const { realmUrl, issuer, fetch, clientId, clientSecret, allowHttp, timeoutMs, clock, logger } = options;
  // Discovery at the back channel's own URL, so that the issuer is ours to check: openid-client compares it with the
  // URL it fetched, which differs from the issuer when Keycloak has a front-end hostname.
  const discoveryUrl = new URL(`${realmUrl}/.well-known/openid-configuration`);
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
  logger.info('idp.discovered', { event: 'idp.discovered', issuer: metadata.issuer });
  return {
    config,
    jwksUri: metadata.jwks_uri,
    // Not the announced end_session_endpoint: that is the browsers' logout, at the front-end hostname, which the
    // gateway may not reach (in docker-compose.yml, localhost:8080 is the gateway's own container).
    logoutEndpoint: `${realmUrl}/protocol/openid-connect/logout`,
    // The back channel's URL, as for logout; openid-client's own grants keep the announced endpoint.
    tokenEndpoint: `${realmUrl}/protocol/openid-connect/token`,
    verifier: new AccessTokenVerifier({
      issuer: metadata.issuer,
      jwksUri: metadata.jwks_uri,
      clientId,
      fetch,
      timeoutMs,
      clock,
      logger,
    }),
  };
}

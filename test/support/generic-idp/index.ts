import { exportJWK, generateKeyPair } from 'jose';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type JWK } from 'oidc-provider';
import { configuration, type AccessTokenFormat } from './configuration.js';
import { demoDirectory, Directory, uriAllowed, type DirectoryFile } from './directory.js';
import { signInPage } from './login-page.js';
import { PASSWORD_PARAMETERS, passwordGrant } from './password-grant.js';
import { recordRequests, type SeenRequest } from './seen.js';

/*
 * A plain OpenID Connect provider (oidc-provider 8.8.1) for the tests that must not depend on Keycloak. What it does,
 * proven by test/generic-idp (file names in brackets), read from oidc-provider's lib/ where noted:
 *
 * Token endpoint refusals, all with a JSON body {error, error_description} and nothing else:
 *   wrong password, unknown user, disabled user  400 invalid_grant "grant request is invalid"  [password-grant]
 *   expired, reused or unknown refresh token     400 invalid_grant "grant request is invalid"  [refresh-rotation]
 *     (oidc-provider's InvalidGrant has one fixed description; the reason is only in error_detail, never sent:
 *     lib/helpers/errors.js. A client cannot tell these cases apart, nor a blocked account from a typo.)
 *   bad client secret                            401 invalid_client "client authentication failed"
 *   unknown scope                                400 invalid_scope "requested scope is not allowed", plus "scope"
 *   grant not allowed for the client             400 invalid_request "requested grant type is not allowed for
 *                                                this client" (not unauthorized_client)  [discovery-and-client-...]
 * Userinfo with a revoked, unknown or JWT access token: 401 {"error":"invalid_token","error_description":"invalid
 *   token provided"} and WWW-Authenticate: Bearer realm="<issuer>", error="invalid_token", error_description="invalid
 *   token provided"  [userinfo-introspection]
 *
 * Revocation (RFC 7009) of a refresh token answers 200 with an empty body and revokes the whole grant: the refresh
 *   token and every opaque access token of it (userinfo 401, introspection {"active":false}). JWT access tokens are
 *   kept nowhere, so nothing revokes them: they verify against the key set until exp (300 s)  [logout].
 * Reusing a rotated-away refresh token revokes the whole grant too (lib/actions/grants/refresh_token.js).
 * JWT access tokens (RFC 9068, typ at+jwt, aud = the resource) cannot be used at userinfo (an audience "prevents
 *   accessing the userinfo endpoint", lib/actions/userinfo.js) and introspect as {"active":false}: with JWTs the
 *   gateway must read the user from the access token itself, `roles` at the top level.
 * end_session (RP-initiated logout) ends the session of the browser that calls it, and the grants of its code flows;
 *   called without that browser's cookies (as a gateway would, server-side, with id_token_hint) it redirects and
 *   changes nothing. Tokens of the password grant belong to no browser session: only revocation ends them.
 * A wrong PKCE verifier does not burn the code; a code used twice is refused (and its grant revoked).
 * Refresh tokens are issued on every grant by default (as Keycloak does); `refreshTokenNeedsOfflineAccess` gives the
 *   common hosted behaviour. In the code flow oidc-provider drops offline_access unless prompt=consent.
 */

export type { AccessTokenFormat } from './configuration.js';
export type { SeenRequest } from './seen.js';
export type { DirectoryFile } from './directory.js';

export interface GenericIdpOptions {
  /** 'opaque' (oidc-provider's default) or RFC 9068 JWTs for one resource server. */
  accessTokenFormat: AccessTokenFormat;
  /** Users and clients as in the demo realm file (the default); a test may pass a changed copy. */
  directory?: DirectoryFile;
  /** The `aud` of JWT access tokens; defaults to the resource indicator. */
  audience?: string;
  /** Refresh tokens only when offline_access was granted, as most hosted providers do; by default always. */
  refreshTokenNeedsOfflineAccess?: boolean;
  /** Lifetime of refresh tokens; 1800 s (the demo realm's idle timeout) by default. */
  refreshTokenSeconds?: number;
  /** Lifetime of access tokens; 300 s (the demo realm's) by default. */
  accessTokenSeconds?: number;
  /** How the demo client authenticates at the token endpoint; the gateway posts its secret (the default). */
  clientAuthMethod?: 'client_secret_post' | 'client_secret_basic';
  /** Added after the origin: `/oidc` gives the issuer http://127.0.0.1:<port>/oidc. */
  path?: string;
}

export interface GenericIdp {
  /** The issuer, e.g. http://127.0.0.1:54321 (IDP_ISSUER for a gateway). */
  readonly issuer: string;
  /** The origin the provider listens on. */
  readonly url: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The resource indicator (and default audience) of JWT access tokens. */
  readonly resource: string;
  /** Every request to the token, revocation, userinfo, introspection and end_session endpoints, in order. */
  readonly seen: readonly SeenRequest[];
  clearSeen(): void;
  /** Whether the provider still holds the grant behind this refresh token (a rotated-away token still names it). */
  sessionActive(refreshToken: string): Promise<boolean>;
  /** Revokes the grant behind this refresh token (its access and refresh tokens) behind the gateway's back. */
  endSession(refreshToken: string): Promise<void>;
  close(): Promise<void>;
}

const CLIENT_ID = 'authgate';

async function signingKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return {
    ...(await exportJWK(privateKey)),
    kid: `generic-${Date.now().toString(36)}`,
    alg: 'RS256',
    use: 'sig',
  } as JWK;
}

/** Starts a plain oidc-provider on loopback on a free port. Close it in afterAll. */
export async function startGenericIdp(options: GenericIdpOptions): Promise<GenericIdp> {
  const directory = new Directory(options.directory ?? (await demoDirectory()));
  const client = directory.clients.find((c) => c.clientId === CLIENT_ID);
  if (!client) throw new Error(`the directory has no confidential client "${CLIENT_ID}"`);

  // The issuer needs the port, the provider needs the issuer: a request arriving before it is ready gets a 503.
  const routing: { handler?: (req: IncomingMessage, res: ServerResponse) => void } = {};
  const server = createServer((req, res) => (routing.handler ? routing.handler(req, res) : res.writeHead(503).end()));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const path = options.path ?? '';
  const issuer = `${url}${path}`;
  const resource = `${issuer}/api`;

  const provider = new Provider(
    issuer,
    configuration({
      directory,
      signingKey: await signingKey(),
      accessTokenFormat: options.accessTokenFormat,
      resource,
      audience: options.audience ?? resource,
      refreshTokenNeedsOfflineAccess: options.refreshTokenNeedsOfflineAccess ?? false,
      clientAuthMethod: options.clientAuthMethod ?? 'client_secret_post',
      refreshTokenSeconds: options.refreshTokenSeconds ?? 1800,
      accessTokenSeconds: options.accessTokenSeconds ?? 300,
      interactionUrl: (uid) => `${path}/interaction/${uid}`,
    }),
  );
  allowWildcards(provider, directory);
  provider.registerGrantType(
    'password',
    passwordGrant({
      directory,
      jwt: options.accessTokenFormat === 'jwt' ? { resource, audience: options.audience ?? resource } : undefined,
      refreshTokenNeedsOfflineAccess: options.refreshTokenNeedsOfflineAccess ?? false,
      accessTokenSeconds: options.accessTokenSeconds ?? 300,
    }),
    PASSWORD_PARAMETERS,
  );
  const seen: SeenRequest[] = [];
  provider.use(recordRequests((s) => seen.push(s)));

  const signIn = signInPage(directory, provider);
  const callback = provider.callback();
  routing.handler = (req, res) => {
    const original = req.url ?? '/';
    if (path && !original.startsWith(path)) return void res.writeHead(404).end();
    // Mounted as express mounts it: oidc-provider finds its mount path in originalUrl for the URLs it publishes.
    (req as IncomingMessage & { originalUrl?: string }).originalUrl = original;
    req.url = original.slice(path.length) || '/';
    signIn(req, res)
      .then((answered) => (answered ? undefined : callback(req, res)))
      .catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
  };

  const grantOf = async (refreshToken: string) =>
    // ignoreSessionBinding (oidc-provider's is_session_bound.js) finds a code-flow token whose browser session ended.
    provider.RefreshToken.find(refreshToken, { ignoreExpiration: true, ignoreSessionBinding: true } as {
      ignoreExpiration: boolean;
    });

  return {
    issuer,
    url,
    clientId: client.clientId,
    clientSecret: client.secret,
    resource,
    seen,
    clearSeen: () => {
      seen.length = 0;
    },
    sessionActive: async (refreshToken) => {
      const token = await provider.RefreshToken.find(refreshToken);
      if (!token?.grantId) return false;
      const grant = await provider.Grant.find(token.grantId);
      return grant !== undefined;
    },
    endSession: async (refreshToken) => {
      const token = await grantOf(refreshToken);
      if (!token?.grantId) throw new Error('the generic IdP knows no such refresh token');
      const { grantId } = token;
      await Promise.all(
        [provider.AccessToken, provider.RefreshToken, provider.AuthorizationCode].map((m) =>
          m.revokeByGrantId(grantId),
        ),
      );
      await (await provider.Grant.find(grantId))?.destroy();
    },
    close: async () => {
      const closed = new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
      server.closeAllConnections();
      await closed;
    },
  };
}

/** Lets `<prefix>*` entries of the realm file match, as oidc-provider's documented recipe for wildcards does. */
function allowWildcards(provider: Provider, directory: Directory): void {
  const entries = (clientId: string) => directory.clients.find((c) => c.clientId === clientId);
  const proto = provider.Client.prototype as unknown as {
    redirectUriAllowed(this: { clientId: string }, uri: string): boolean;
    postLogoutRedirectUriAllowed(this: { clientId: string }, uri: string): boolean;
  };
  proto.redirectUriAllowed = function (uri) {
    return uriAllowed(entries(this.clientId)?.redirectUris ?? [], uri);
  };
  proto.postLogoutRedirectUriAllowed = function (uri) {
    return uriAllowed(entries(this.clientId)?.postLogoutRedirectUris ?? [], uri);
  };
}

import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../observability/logger.js';
import type { IdpContext } from './context.js';
import { createRequestHandler } from './http-server.js';
import { generateKeys, importKeys, type DevIdpKeys, type SigningKeyInfo } from './keys.js';
import { authorizationCodeGrant, loginRoutes } from './login-flow.js';
import { parsePasswordPolicy } from './password-policy.js';
import { createProvider } from './provider.js';
import { parseRealm, type RealmFile } from './realm-file.js';
import { publishCurrentKeys } from './realm-jwks.js';
import { RealmModel } from './realm-model.js';
import { RevokedTokens } from './revoked-tokens.js';
import type { SeenRequest } from './seen.js';
import { SessionStore } from './sessions.js';
import { TokenMinter } from './tokens.js';

export { loadRealmFile, type Realm, type RealmFile } from './realm-file.js';
export type { SeenRequest } from './seen.js';
export type { DevIdpKeys, SigningKeyInfo } from './keys.js';

export interface DevIdpOptions {
  /** A realm file's content (loadRealmFile), or an object built or edited by a test; validated again here. */
  realm: RealmFile;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Listen address; loopback unless told otherwise. */
  host?: string;
  /** Host name in the issuer and every URL; defaults to `host`. */
  publicHost?: string;
  logger: Logger;
  /** 'production' makes startDevIdp refuse: nothing listens. */
  nodeEnv?: string;
  /** Keycloak 26.6 and later answer a wrong password with 400 (the default here, as the newest tested release); before, 401. */
  passwordGrantErrorStatus?: 400 | 401;
  /** Milliseconds since the epoch; tests move it to expire tokens and sessions without sleeping. */
  now?: () => number;
  /** The keys of an earlier instance (`DevIdp.signingKey`): tokens it issued keep verifying after a restart. */
  signingKey?: DevIdpKeys;
}

export interface DevIdp {
  /** What KEYCLOAK_URL would be, e.g. http://127.0.0.1:54321. */
  readonly url: string;
  /** `${url}/realms/${realmName}` */
  readonly issuer: string;
  readonly port: number;
  readonly realmName: string;
  /** The signing key the IdP started with (see DevIdpOptions.signingKey). */
  readonly signingKey: DevIdpKeys;
  /**
   * Adds a new RS256 signing key, as a Keycloak `rsa-generated` key provider of this priority does (the IdP's first key
   * has Keycloak's 100): the highest priority signs new tokens, the JWKS lists every key. Answers its kid.
   */
  addSigningKey(options: { priority: number }): Promise<string>;
  /** Removes a signing key, as deleting its key provider does at Keycloak: gone from the JWKS, its tokens refused. */
  removeSigningKey(kid: string): void;
  signingKeys(): SigningKeyInfo[];
  /** Every request to the token, logout, revocation, introspection and userinfo endpoints, in order. */
  readonly seen: readonly SeenRequest[];
  clearSeen(): void;
  /** Stops listening, closes keep-alive connections, resolves when done. */
  close(): Promise<void>;
}

/**
 * Starts a Keycloak-compatible development IdP for one realm: Keycloak's URL layout, tokens and answers, so that the
 * gateway, its tests and a laptop need no Keycloak. It is not a production IdP and refuses to run as one.
 */
export async function startDevIdp(options: DevIdpOptions): Promise<DevIdp> {
  if (options.nodeEnv === 'production') {
    throw new Error(
      'the development IdP refuses to start when NODE_ENV=production: set KEYCLOAK_URL to a real Keycloak',
    );
  }
  const realm = new RealmModel(parseRealm(options.realm));
  const keys = options.signingKey ?? (await generateKeys());
  const material = await importKeys(keys);
  const host = options.host ?? '127.0.0.1';

  // The issuer needs the port, the handler needs the issuer: requests arriving before it is ready get a 503.
  const routing: { handler?: (req: IncomingMessage, res: ServerResponse) => void } = {};
  const server = createServer((req, res) => {
    if (routing.handler) routing.handler(req, res);
    else res.writeHead(503).end();
  });
  server.listen(options.port ?? 0, host);
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const url = `http://${options.publicHost ?? host}:${port}`;
  const realmPath = `/realms/${encodeURIComponent(realm.name)}`;
  const issuer = `${url}${realmPath}`;

  const now = options.now ?? Date.now;
  const sessions = new SessionStore(realm.settings, now);
  const ctx: IdpContext = {
    realm,
    issuer,
    sessions,
    minter: new TokenMinter(realm, issuer, material, sessions),
    revoked: new RevokedTokens(() => sessions.now()),
    passwordGrantErrorStatus: options.passwordGrantErrorStatus ?? 400,
  };
  const provider = createProvider({
    realm,
    issuer,
    keys,
    interactionPath: (uid) => `${realmPath}/login-actions/${uid}`,
  });
  publishCurrentKeys(provider, material);
  const seen: SeenRequest[] = [];
  routing.handler = createRequestHandler({
    ctx,
    provider,
    logger: options.logger,
    record: (s) => seen.push(s),
    codeGrant: authorizationCodeGrant(provider),
    extraRoutes: loginRoutes(ctx, provider),
  });

  logStart(options.logger, realm, issuer);
  return {
    url,
    issuer,
    port,
    realmName: realm.name,
    signingKey: keys,
    addSigningKey: ({ priority }) => material.add(priority),
    removeSigningKey: (kid) => {
      if (!material.remove(kid)) throw new Error(`the realm has no signing key ${kid}`);
    },
    signingKeys: () => material.list(),
    seen,
    clearSeen: () => {
      seen.length = 0;
    },
    close: async () => {
      const closed = new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
      server.closeAllConnections();
      await closed;
    },
  };
}

function logStart(logger: Logger, realm: RealmModel, issuer: string): void {
  logger.warn('DEVELOPMENT IdP started: not for production', {
    event: 'dev_idp.started',
    issuer,
    users: realm.loginUsers().map((u) => u.username),
    clients: realm.settings.clients.map((c) => c.clientId),
  });
  if (!realm.settings.enabled) {
    logger.warn(
      'the realm is disabled ("enabled" is false or missing, as Keycloak imports it): every token request answers 403',
      { event: 'dev_idp.realm_disabled', realm: realm.name },
    );
  }
  const { unknown } = parsePasswordPolicy(realm.settings.passwordPolicy);
  if (unknown.length > 0) {
    logger.warn("the realm's password policy names policies the development IdP does not check: they are ignored", {
      event: 'dev_idp.unsupported_password_policy',
      policies: unknown,
    });
  }
  for (const user of realm.users) {
    if (user.password?.kind === 'unsupported') {
      logger.warn(
        'a user cannot log in: the development IdP cannot check this password credential (give it a plain "value")',
        {
          event: 'dev_idp.unsupported_credential',
          username: user.username,
          reason: user.password.reason,
        },
      );
    }
  }
}

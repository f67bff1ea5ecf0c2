import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Logger } from '../observability/logger.js';
import { keycloakEndpoints } from './keycloak-endpoints.js';
import { assertSupportedCredentials } from './passwords.js';
import { createProvider } from './provider.js';
import { parseRealm, type RealmFile } from './realm.js';
import type { SeenRequest } from './seen.js';
import { SessionStore } from './sessions.js';
import { generateKeys, TokenMinter, type DevIdpKeys } from './tokens.js';

export { loadRealmFile, type Realm, type RealmFile } from './realm.js';
export type { SeenRequest } from './seen.js';
export type { DevIdpKeys } from './tokens.js';

export interface DevIdpOptions {
  realm: RealmFile;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Listen address; loopback unless told otherwise. */
  host?: string;
  /** Host name in the issuer and every URL; defaults to `host`. */
  publicHost?: string;
  logger: Logger;
  /** 'production' makes startDevIdp refuse. */
  nodeEnv?: string;
  /** Keycloak before 26.6 answers a wrong password with 401 (the default here); 26.6 and later with 400. */
  passwordGrantErrorStatus?: 400 | 401;
  /** Milliseconds since the epoch; tests move it to expire tokens and sessions without sleeping. */
  now?: () => number;
  /** Reuse the keys of an earlier instance (a restart that keeps the realm's keys). */
  signingKey?: DevIdpKeys;
}

export interface DevIdp {
  readonly url: string;
  readonly issuer: string;
  readonly port: number;
  readonly realmName: string;
  readonly signingKey: DevIdpKeys;
  /** Every request answered by the token and logout endpoints, in order. */
  readonly seen: readonly SeenRequest[];
  clearSeen(): void;
  close(): Promise<void>;
}

/**
 * Starts a Keycloak-compatible development IdP for one realm: Keycloak's URL layout, tokens and answers, so that the
 * gateway, its tests and a laptop need no Keycloak. It is not a production IdP and refuses to run as one.
 */
export async function startDevIdp(options: DevIdpOptions): Promise<DevIdp> {
  if (options.nodeEnv === 'production') {
    throw new Error('the development IdP refuses to start when NODE_ENV=production: set KEYCLOAK_URL to a real Keycloak');
  }
  const realm = parseRealm(options.realm);
  realm.users.forEach(assertSupportedCredentials);
  const now = options.now ?? Date.now;
  const keys = options.signingKey ?? (await generateKeys());
  const host = options.host ?? '127.0.0.1';

  const server = createServer();
  server.listen(options.port ?? 0, host);
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const url = `http://${options.publicHost ?? host}:${port}`;
  const issuer = `${url}/realms/${realm.realm}`;

  const seen: SeenRequest[] = [];
  const sessions = new SessionStore(realm, now);
  const minter = new TokenMinter(realm, issuer, keys, now);
  const grantContext = { realm, sessions, minter, now, passwordGrantErrorStatus: options.passwordGrantErrorStatus ?? 401 };
  const provider = createProvider(realm, issuer, keys);

  const app = express();
  app.disable('x-powered-by');
  app.use(`/realms/${realm.realm}`, keycloakEndpoints(grantContext, (record) => seen.push(record)));
  app.use(`/realms/${realm.realm}`, provider.callback());
  app.use('/realms/:realm', (_req, res) => {
    res.status(404).json({ error: 'Realm does not exist' });
  });
  server.on('request', app);

  options.logger.warn('DEVELOPMENT IdP started: not for production', {
    event: 'dev_idp.started',
    issuer,
    users: realm.users.filter((u) => !u.serviceAccountClientId).map((u) => u.username),
  });

  return {
    url,
    issuer,
    port,
    realmName: realm.realm,
    signingKey: keys,
    seen,
    clearSeen: () => {
      seen.length = 0;
    },
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

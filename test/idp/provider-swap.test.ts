import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { AuthError, createAuthClient, type AuthClient } from '../../src/client/index.js';
import type { RedisClient } from '../../src/stores/redis-client.js';
import { startGenericIdp, type GenericIdp } from '../support/generic-idp/index.js';
import { buildTestGateway } from '../support/gateway.js';
import { startTestIdp } from '../support/idp.js';
import type { DevIdp } from '../../src/dev-idp/index.js';
import { removeKeys, testRedis, uniquePrefix } from '../support/redis.js';

/*
 * A provider swap, rehearsed: a deployment runs on Keycloak (the embedded Keycloak look-alike), then the same address
 * serves a gateway reconfigured for a plain OpenID Connect provider, sharing Redis and SESSION_SECRET as a rolling
 * deployment would. The clients (the SDK in each mode) are not touched: what their user sees is a new login, and then
 * the same user card as before.
 */
const SUITE = 'provider swap';
const redis = await testRedis(SUITE);
const describeWithRedis = redis ? describe : describe.skip;

const prefix = uniquePrefix('swap');
let keycloak: DevIdp;
let generic: GenericIdp;
let server: Server;
let url: string;
let serving: Express;
const clients: AuthClient[] = [];

beforeAll(async () => {
  keycloak = await startTestIdp();
  generic = await startGenericIdp({ accessTokenFormat: 'jwt' });
  // One address for the clients whichever gateway is behind it, as a load balancer gives them.
  server = createServer((req: IncomingMessage, res: ServerResponse) => serving(req, res));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const client of clients) client.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await keycloak.close();
  await generic.close();
  if (redis) {
    await removeKeys(redis, prefix);
    await redis.close();
  }
});

function deploy(mode: 'session' | 'token', provider: 'keycloak' | 'generic', client: RedisClient): void {
  const env: Record<string, string> =
    provider === 'keycloak'
      ? { PUBLIC_URL: url }
      : {
          PUBLIC_URL: url,
          IDP_ISSUER: generic.issuer,
          IDP_CLIENT_SECRET: generic.clientSecret,
          IDP_ACCESS_TOKENS: 'jwt',
        };
  serving = buildTestGateway({
    idpUrl: keycloak.url,
    mode,
    env,
    redis: { client, keyPrefix: prefix },
    clock: { now: () => Date.now() },
  }).app;
}

function sdk(mode: 'session' | 'token') {
  const client = createAuthClient({ baseURL: url, mode, channelName: `swap-${mode}` });
  clients.push(client);
  const events: string[] = [];
  for (const event of ['loggedIn', 'loggedOut', 'sessionExpired'] as const) client.on(event, () => events.push(event));
  return { client, events };
}

describeWithRedis('swapping the identity provider under running clients', () => {
  it.each(['session', 'token'] as const)(
    'in %s mode costs the user one new login, and the user card is the one they had',
    async (mode) => {
      deploy(mode, 'keycloak', redis as RedisClient);
      const { client, events } = sdk(mode);
      await client.login('alice', 'alice-password');
      const before = await client.me();

      deploy(mode, 'generic', redis as RedisClient);
      const refused = await client.me().catch((err: unknown) => err);
      // The old provider's session (or token) is no credential at the new one: the contract's "log in".
      expect(refused).toBeInstanceOf(AuthError);
      expect({ status: (refused as AuthError).status, code: (refused as AuthError).code }).toEqual({
        status: 401,
        code: 'unauthenticated',
      });

      await client.login('alice', 'alice-password');
      // The subject is the provider's own id for the account: a new provider gives a new one unless its accounts are
      // imported with their old ids (docs/providers.md, migration). Name, username, email and roles stay.
      expect(await client.me()).toEqual({ ...before, sub: expect.any(String) });
      expect(events).toEqual(['loggedIn', 'loggedIn']);
    },
  );
});

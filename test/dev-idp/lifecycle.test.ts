import { createServer } from 'node:net';
import { once } from 'node:events';
import { describe, expect, it } from '@jest/globals';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { startDevIdp } from '../../src/dev-idp/index.js';
import { captureLogs, CLIENT, demoRealm, login, OIDC, post, refresh, startTestIdp, token } from './helpers.js';

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

describe('starting and stopping', () => {
  it('refuses to start when NODE_ENV=production, and nothing listens', async () => {
    const port = await freePort();
    const logs = captureLogs();
    await expect(
      startDevIdp({ realm: await demoRealm(), port, logger: logs.logger, nodeEnv: 'production' }),
    ).rejects.toThrow(
      'the development IdP refuses to start when NODE_ENV=production: set KEYCLOAK_URL to a real Keycloak',
    );
    await expect(fetch(`http://127.0.0.1:${port}/realms/demo/.well-known/openid-configuration`)).rejects.toThrow();
    expect(logs.lines()).toEqual([]);
  });

  it('says at warn level that it is a development IdP, with its issuer and users', async () => {
    const logs = captureLogs();
    const idp = await startDevIdp({ realm: await demoRealm(), logger: logs.logger });
    await idp.close();
    expect(logs.lines().filter((l) => l.event === 'dev_idp.started')).toEqual([
      expect.objectContaining({
        level: 'warn',
        message: 'DEVELOPMENT IdP started: not for production',
        issuer: idp.issuer,
        users: ['alice', 'bob', 'carol', 'admin'],
        clients: ['authgate', 'reporting-bot'],
      }),
    ]);
  });

  it('restarts on the same port with the same keys: old access tokens verify, old sessions are gone', async () => {
    const first = await startTestIdp();
    const res = await login(first, 'alice', 'alice-password');
    await fetch(`${first.issuer}${OIDC}/certs`); // leaves a keep-alive connection that close() must end
    const { port, signingKey, issuer } = first;
    await first.close();
    const second = await startTestIdp({ port, signingKey });
    try {
      expect(second.issuer).toBe(issuer);
      const jwks = createRemoteJWKSet(new URL(`${second.issuer}${OIDC}/certs`));
      await expect(jwtVerify(String(res.body?.access_token), jwks, { issuer })).resolves.toMatchObject({
        payload: { preferred_username: 'alice' },
      });
      expect((await refresh(second, res.body?.refresh_token)).body).toEqual({
        error: 'invalid_grant',
        error_description: 'Session not active',
      });
    } finally {
      await second.close();
    }
  });
});

describe('what the provider saw', () => {
  it('records every token, logout, userinfo, introspection and revocation request in order, and forgets them on clearSeen', async () => {
    const idp = await startTestIdp();
    try {
      const res = await login(idp, 'alice', 'alice-password');
      await token(idp, { grant_type: 'password', client_id: 'who', username: 'alice', password: 'x' });
      await refresh(idp, res.body?.refresh_token);
      await post(idp, `${OIDC}/logout`, { ...CLIENT, refresh_token: 'abc' });
      await fetch(`${idp.issuer}${OIDC}/userinfo`);
      await post(idp, `${OIDC}/token/introspect`, { ...CLIENT, token: 'x' });
      await post(idp, `${OIDC}/revoke`, { ...CLIENT, token: 'x' });
      await fetch(`${idp.issuer}/.well-known/openid-configuration`);
      expect(idp.seen).toEqual([
        { endpoint: 'token', grantType: 'password', clientId: 'authgate', status: 200 },
        {
          endpoint: 'token',
          grantType: 'password',
          clientId: 'who',
          status: 401,
          error: 'invalid_client',
          errorDescription: 'Invalid client or Invalid client credentials',
        },
        { endpoint: 'token', grantType: 'refresh_token', clientId: 'authgate', status: 200 },
        {
          endpoint: 'logout',
          clientId: 'authgate',
          status: 400,
          error: 'invalid_grant',
          errorDescription: 'Invalid refresh token',
        },
        { endpoint: 'userinfo', status: 401 },
        { endpoint: 'introspect', clientId: 'authgate', status: 200 },
        {
          endpoint: 'revoke',
          clientId: 'authgate',
          status: 200,
          error: 'invalid_token',
          errorDescription: 'Invalid token',
        },
      ]);
      idp.clearSeen();
      expect(idp.seen).toEqual([]);
    } finally {
      await idp.close();
    }
  });
});

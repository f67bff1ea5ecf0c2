import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config/load-config.js';
import { startGateway, type RunningGateway } from '../../src/gateway.js';
import { RequestContext } from '../../src/observability/request-context.js';
import { captureLogs, type CapturedLogs } from '../support/logs.js';
import { startScriptedProvider, type ScriptedProvider } from '../support/scripted-provider.js';

/*
 * A generic provider logs out by RFC 7009 revocation only where its discovery document lists a revocation endpoint.
 * Where it lists none, logout can end only the gateway's session, and the operator is told so once, when discovery
 * is read: the dialect alone, all the start-up warning knows, cannot tell.
 */
const ENDPOINTS = { token: '/oidc/token', revocation: '/oidc/revoke', jwks: '/oidc/jwks', userinfo: '/oidc/me' };
let provider: ScriptedProvider;
let announced: Record<string, unknown>;
let gateway: RunningGateway | undefined;

beforeAll(async () => {
  provider = await startScriptedProvider({ issuerPath: '/oidc', endpoints: ENDPOINTS });
  announced = (await (await fetch(`${provider.issuer}/.well-known/openid-configuration`)).json()) as Record<
    string,
    unknown
  >;
});

afterEach(async () => {
  await gateway?.close(0);
  gateway = undefined;
});

afterAll(async () => {
  await provider.close();
});

async function start(discovery: Record<string, unknown>): Promise<CapturedLogs> {
  provider.answer('discovery', { status: 200, body: JSON.stringify(discovery), contentType: 'application/json' });
  const config = loadConfig({
    env: {
      NODE_ENV: 'test',
      PORT: '0',
      AUTH_MODE: 'token',
      IDP_ISSUER: provider.issuer,
      IDP_CLIENT_SECRET: 'the-client-secret',
    },
  });
  const requestContext = new RequestContext();
  const logs = captureLogs(requestContext);
  gateway = await startGateway({ config, logger: logs.logger, requestContext, host: '127.0.0.1' });
  return logs;
}

async function logout(): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${gateway?.url}/api/auth/logout`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refresh_token: 'a-refresh-token' }),
  });
  return { status: res.status, body: await res.json() };
}

const revocations = () => provider.requests.filter((r) => r.path === ENDPOINTS.revocation);

describe('a generic provider whose discovery document lists no revocation endpoint', () => {
  it('warns at start that logout ends only the gateway session, once, and logs out without calling the provider', async () => {
    const { revocation_endpoint: _dropped, ...withoutRevocation } = announced;
    const logs = await start(withoutRevocation);
    provider.requests.length = 0;

    expect(await logout()).toEqual({ status: 200, body: { message: 'Logged out' } });
    expect(await logout()).toEqual({ status: 200, body: { message: 'Logged out' } });

    expect(revocations()).toEqual([]);
    expect(logs.events('idp.logout_local')).toEqual([
      expect.objectContaining({
        level: 'warn',
        issuer: provider.issuer,
        reason: 'the discovery document lists no revocation_endpoint',
        consequence: "the provider's session and the refresh token stay valid until they expire",
      }),
    ]);
    expect(logs.events('idp.dialect_limits')).toEqual([
      expect.objectContaining({
        dialect: 'generic',
        logout:
          'RFC 7009 revocation of the refresh token, where discovery lists a revocation_endpoint (idp.logout_local says when not)',
      }),
    ]);
  });
});

describe('a generic provider that lists a revocation endpoint', () => {
  it('says nothing of a local logout, and revokes the refresh token at logout', async () => {
    const logs = await start(announced);
    provider.requests.length = 0;
    provider.answer('logout', { status: 200 });

    expect(await logout()).toEqual({ status: 200, body: { message: 'Logged out' } });

    expect(revocations()).toHaveLength(1);
    expect(logs.events('idp.logout_local')).toEqual([]);
  });
});

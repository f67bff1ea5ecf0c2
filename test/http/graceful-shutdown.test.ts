import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from 'undici';
import type { DevIdp } from '../../src/dev-idp/index.js';
import { loadConfig } from '../../src/config/load-config.js';
import { startGateway, type RunningGateway } from '../../src/gateway.js';
import { RequestContext } from '../../src/observability/request-context.js';
import { DEMO_CLIENT_SECRET } from '../support/gateway.js';
import { startTestIdp } from '../support/idp.js';
import { keepAliveLoad, type Outcome } from '../support/keep-alive-load.js';
import { captureLogs, type CapturedLogs } from '../support/logs.js';
import { startScriptedProvider, type ScriptedProvider } from '../support/scripted-provider.js';

let provider: ScriptedProvider;
let idp: DevIdp;
beforeAll(async () => {
  provider = await startScriptedProvider();
  idp = await startTestIdp();
});
afterAll(async () => {
  await provider.close();
  await idp.close();
});

async function tokenGateway(
  keycloakUrl: string,
  secret: string,
): Promise<{ gateway: RunningGateway; logs: CapturedLogs }> {
  const config = loadConfig({
    env: { NODE_ENV: 'test', AUTH_MODE: 'token', PORT: '0', KEYCLOAK_URL: keycloakUrl, KEYCLOAK_CLIENT_SECRET: secret },
  });
  const requestContext = new RequestContext();
  const logs = captureLogs(requestContext);
  return { gateway: await startGateway({ config, logger: logs.logger, requestContext, host: '127.0.0.1' }), logs };
}

async function accessToken(gateway: RunningGateway): Promise<string> {
  const res = await fetch(`${gateway.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', connection: 'close' },
    body: JSON.stringify({ username: 'alice', password: 'alice-password' }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { token: { access_token: string } }).token.access_token;
}

const ALICE = { user: expect.objectContaining({ username: 'alice' }) };

describe('stopping the gateway', () => {
  it('lets an in-flight request finish, then refuses new connections', async () => {
    const { gateway, logs } = await tokenGateway(provider.url, 's');
    const tokens = { access_token: 'at', refresh_token: 'rt2', expires_in: 300, token_type: 'Bearer' };
    provider.answer('token', {
      status: 200,
      delayMs: 400,
      contentType: 'application/json',
      body: JSON.stringify(tokens),
    });

    const inFlight = fetch(`${gateway.url}/api/auth/refresh-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: 'rt' }),
    });
    while (!provider.requests.some((r) => r.path.endsWith('/protocol/openid-connect/token')))
      await new Promise((resolve) => setTimeout(resolve, 10));
    const closing = gateway.close();

    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ message: 'Token refreshed successfully', token: tokens });
    await closing;
    await expect(fetch(`${gateway.url}/healthz`)).rejects.toThrow();
    expect(logs.events('gateway.stopped')).toHaveLength(1);
  });

  it('under /me load from 20 keep-alive clients, every request is answered whole or refused before it was sent, never reset', async () => {
    const { gateway } = await tokenGateway(idp.url, DEMO_CLIENT_SECRET);
    const token = await accessToken(gateway);
    const load = keepAliveLoad(gateway.url, {
      clients: 20,
      path: '/api/auth/me',
      headers: { authorization: `Bearer ${token}` },
      deadlineMs: 12_000,
    });
    expect(await load.warmedUp(10)).toBe(true);

    const closedAt = Date.now();
    const started = performance.now();
    await gateway.close();
    const stopMs = performance.now() - started;
    await load.finished;
    await load.stop();

    const outcomes = load.outcomes();
    const answered = outcomes.filter((o) => o.status !== undefined);
    const failed = outcomes.filter((o) => o.error !== undefined);
    expect(answered.length).toBeGreaterThanOrEqual(200);
    // Each client ends on one refused connection; nothing else fails.
    expect(summary(failed)).toEqual({ ECONNREFUSED: 20 });
    expect(answered.filter((o) => o.status !== 200 || !matches(o.body))).toEqual([]);
    expect(answered.filter((o) => o.startedAt > closedAt && o.connection !== 'close')).toEqual([]);
    expect(stopMs).toBeLessThan(2000);
  }, 20_000);

  it('a request that reaches an idle keep-alive connection just as the stop begins is answered, with Connection: close', async () => {
    const { gateway } = await tokenGateway(idp.url, DEMO_CLIENT_SECRET);
    const token = await accessToken(gateway);
    const client = new Client(gateway.url, { pipelining: 1 });
    try {
      const first = await client.request({
        path: '/api/auth/me',
        method: 'GET',
        headers: { authorization: `Bearer ${token}` },
      });
      await first.body.text();
      // The connection is idle. The next request's bytes are written at once; the stop begins before the server
      // has read them (its socket is read only when the event loop next polls).
      const second = client.request({
        path: '/api/auth/me',
        method: 'GET',
        headers: { authorization: `Bearer ${token}` },
      });
      const closing = new Promise<void>((resolve) => setImmediate(() => resolve(gateway.close())));
      const res = await second;
      expect({
        status: res.statusCode,
        connection: res.headers.connection,
        body: (await res.body.json()) as unknown,
      }).toEqual({ status: 200, connection: 'close', body: ALICE });
      await closing;
    } finally {
      await client.destroy();
    }
  });
});

function summary(outcomes: Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { error } of outcomes) if (error) counts[error] = (counts[error] ?? 0) + 1;
  return counts;
}

function matches(body: unknown): boolean {
  try {
    expect(body).toEqual(ALICE);
    return true;
  } catch {
    return false;
  }
}

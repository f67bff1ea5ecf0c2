import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config/load-config.js';
import { startGateway } from '../../src/gateway.js';
import { RequestContext } from '../../src/observability/request-context.js';
import { captureLogs } from '../support/logs.js';
import { startScriptedProvider, type ScriptedProvider } from '../support/scripted-provider.js';

let provider: ScriptedProvider;
beforeAll(async () => {
  provider = await startScriptedProvider();
});
afterAll(async () => {
  await provider.close();
});

describe('stopping the gateway', () => {
  it('lets an in-flight request finish, then refuses new connections', async () => {
    const config = loadConfig({ env: { NODE_ENV: 'test', AUTH_MODE: 'token', PORT: '0', KEYCLOAK_URL: provider.url, KEYCLOAK_CLIENT_SECRET: 's' } });
    const requestContext = new RequestContext();
    const logs = captureLogs(requestContext);
    const gateway = await startGateway({ config, logger: logs.logger, requestContext, host: '127.0.0.1' });
    const tokens = { access_token: 'at', refresh_token: 'rt2', expires_in: 300, token_type: 'Bearer' };
    provider.answer('token', { status: 200, delayMs: 400, contentType: 'application/json', body: JSON.stringify(tokens) });

    const inFlight = fetch(`${gateway.url}/api/auth/refresh-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: 'rt' }),
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closing = gateway.close();

    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ message: 'Token refreshed successfully', token: tokens });
    await closing;
    await expect(fetch(`${gateway.url}/healthz`)).rejects.toThrow();
    expect(logs.events('gateway.stopped')).toHaveLength(1);
  });
});

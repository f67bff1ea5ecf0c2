import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config/load-config.js';
import { startGateway } from '../../src/gateway.js';
import { RequestContext } from '../../src/observability/request-context.js';
import { captureLogs } from '../support/logs.js';
import { startScriptedProvider, type ScriptedProvider } from '../support/scripted-provider.js';

/*
 * The password login needs the provider's password grant. A generic provider's discovery document says whether it has
 * one; the gateway reads it at start and refuses a configuration that serves password logins it cannot make.
 */
let provider: ScriptedProvider;
let discovery: Record<string, unknown>;

beforeAll(async () => {
  provider = await startScriptedProvider({
    issuerPath: '/oidc',
    endpoints: { token: '/oidc/token', revocation: '/oidc/revoke', jwks: '/oidc/jwks', userinfo: '/oidc/me' },
  });
  const announced = (await (await fetch(`${provider.issuer}/.well-known/openid-configuration`)).json()) as Record<
    string,
    unknown
  >;
  discovery = { ...announced, grant_types_supported: ['authorization_code', 'refresh_token'] };
  provider.answer('discovery', { status: 200, body: JSON.stringify(discovery), contentType: 'application/json' });
});

afterAll(async () => {
  await provider.close();
});

function start(env: Record<string, string>) {
  const config = loadConfig({
    env: {
      NODE_ENV: 'test',
      PORT: '0',
      IDP_ISSUER: provider.issuer,
      IDP_CLIENT_SECRET: 'the-client-secret',
      ...env,
    },
  });
  const requestContext = new RequestContext();
  const logs = captureLogs(requestContext);
  return startGateway({ config, logger: logs.logger, requestContext, host: '127.0.0.1' });
}

describe('a provider without the password grant', () => {
  it('refuses the start while the password login is on, naming what to change', async () => {
    await expect(start({ AUTH_MODE: 'session' })).rejects.toThrow(
      `PASSWORD_LOGIN: the provider at ${provider.issuer} offers no password grant (its discovery document does not list it); set PASSWORD_LOGIN=false and AUTH_MODE=session, so that the code flow is the only login`,
    );
  });

  it('serves session mode with the code flow as the only login, and answers a password login and a service-token creation 403 password_login_unavailable', async () => {
    const gateway = await start({ AUTH_MODE: 'session', PASSWORD_LOGIN: 'false' });
    try {
      const login = await fetch(`${gateway.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf': '1' },
        body: JSON.stringify({ username: 'alice', password: 'alice-password' }),
      });
      expect({ status: login.status, body: await login.json() }).toEqual({
        status: 403,
        body: {
          error: 'password_login_unavailable',
          message: 'This gateway takes no passwords: log in through the browser (GET /api/auth/login)',
        },
      });
      const serviceToken = await fetch(`${gateway.url}/api/auth/service-tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf': '1' },
        body: JSON.stringify({ username: 'alice', password: 'alice-password', name: 'bot', days: 30 }),
      });
      expect({ status: serviceToken.status, body: await serviceToken.json() }).toEqual({
        status: 403,
        body: {
          error: 'password_login_unavailable',
          message: 'This gateway takes no passwords: log in through the browser (GET /api/auth/login)',
        },
      });
      const codeFlow = await fetch(`${gateway.url}/api/auth/login`, { redirect: 'manual' });
      expect(codeFlow.status).toBe(302);
      expect(codeFlow.headers.get('location')).toMatch(new RegExp(`^${provider.issuer}/authorize\\?`));
      expect(provider.requests.filter((r) => r.path === '/oidc/token')).toEqual([]);
    } finally {
      await gateway.close(0);
    }
  });
});

import { afterEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { loadConfig } from '../../src/config/load-config.js';
import { buildTestGateway } from '../support/gateway.js';
import { startScriptedProvider, type ScriptedProvider } from '../support/scripted-provider.js';

/*
 * Keycloak with a front-end hostname (docker-compose.yml: KC_HOSTNAME=http://localhost:8080 and a dynamic back
 * channel) announces, to a gateway that reaches it at another URL, the front-end issuer and browser endpoints, and
 * back-channel endpoints at the gateway's own URL. The real thing is test/keycloak/compose-hostname.test.ts; this is
 * its discovery document, scripted, so the rule is checked on every run.
 */
const FRONT_END = 'http://localhost:8080';
const NOT_READY = {
  error: 'idp_error',
  message: 'Not ready: the identity provider (discovery and key set) does not answer',
};

let provider: ScriptedProvider | undefined;
afterEach(async () => {
  await provider?.close();
  provider = undefined;
});

/** What Keycloak 26.5 and 26.7 announce with KC_HOSTNAME=http://localhost:8080 and KC_HOSTNAME_BACKCHANNEL_DYNAMIC=true. */
function frontEndDiscovery(backChannel: string): string {
  const front = `${FRONT_END}/realms/demo/protocol/openid-connect`;
  const back = `${backChannel}/realms/demo/protocol/openid-connect`;
  return JSON.stringify({
    issuer: `${FRONT_END}/realms/demo`,
    authorization_endpoint: `${front}/auth`,
    token_endpoint: `${back}/token`,
    jwks_uri: `${back}/certs`,
    userinfo_endpoint: `${back}/userinfo`,
    end_session_endpoint: `${front}/logout`,
    response_types_supported: ['code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
  });
}

async function frontEndProvider(): Promise<ScriptedProvider> {
  const scripted = await startScriptedProvider();
  scripted.answer('discovery', { status: 200, contentType: 'application/json', body: frontEndDiscovery(scripted.url) });
  return scripted;
}

describe('a Keycloak whose issuer is its front-end hostname', () => {
  it('is refused while KEYCLOAK_ISSUER is unset: the announced issuer must be <KEYCLOAK_URL>/realms/<realm> exactly', async () => {
    provider = await frontEndProvider();
    const { app } = buildTestGateway({ idpUrl: provider.url });
    const res = await request(app).get('/readyz');
    expect({ status: res.status, body: res.body }).toEqual({ status: 502, body: NOT_READY });
    expect(provider.requests.map((r) => r.path)).toEqual(['/realms/demo/.well-known/openid-configuration']);
  });

  it('is refused when KEYCLOAK_ISSUER names yet another issuer', async () => {
    provider = await frontEndProvider();
    const { app } = buildTestGateway({
      idpUrl: provider.url,
      env: { KEYCLOAK_ISSUER: 'http://localhost:9999/realms/demo' },
    });
    const res = await request(app).get('/readyz');
    expect({ status: res.status, body: res.body }).toEqual({ status: 502, body: NOT_READY });
  });

  it('with KEYCLOAK_ISSUER set to it, the gateway is ready, fetched everything at KEYCLOAK_URL, and sends browsers to the front-end login page', async () => {
    provider = await frontEndProvider();
    const { app } = buildTestGateway({
      idpUrl: provider.url,
      mode: 'session',
      env: { KEYCLOAK_ISSUER: `${FRONT_END}/realms/demo` },
    });
    const ready = await request(app).get('/readyz');
    expect({ status: ready.status, body: ready.body }).toEqual({
      status: 200,
      body: { status: 'ready', checks: { idp: 'ok' } },
    });
    const login = await request(app).get('/api/auth/login');
    expect(login.status).toBe(302);
    expect(login.headers.location).toMatch(new RegExp(`^${FRONT_END}/realms/demo/protocol/openid-connect/auth\\?`));
    expect(provider.requests.map((r) => r.path)).toEqual([
      '/realms/demo/.well-known/openid-configuration',
      '/realms/demo/protocol/openid-connect/certs',
    ]);
  });
});

describe('the KEYCLOAK_ISSUER setting', () => {
  it('is refused without KEYCLOAK_URL (the embedded development IdP announces its own issuer)', () => {
    expect(() => loadConfig({ env: { KEYCLOAK_ISSUER: `${FRONT_END}/realms/demo` } })).toThrow(
      'KEYCLOAK_ISSUER: only with KEYCLOAK_URL (the embedded development IdP announces its own issuer)',
    );
  });

  it('must be an http(s) URL, and loses a trailing slash as KEYCLOAK_URL does', () => {
    const base = { KEYCLOAK_URL: 'http://keycloak:8080', KEYCLOAK_CLIENT_SECRET: 's' };
    expect(() => loadConfig({ env: { ...base, KEYCLOAK_ISSUER: 'localhost:8080/realms/demo' } })).toThrow(
      'KEYCLOAK_ISSUER: must be',
    );
    expect(loadConfig({ env: { ...base, KEYCLOAK_ISSUER: `${FRONT_END}/realms/demo/` } }).idp.issuer).toBe(
      `${FRONT_END}/realms/demo`,
    );
  });
});

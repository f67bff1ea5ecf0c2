import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config/load-config.js';

const KEYCLOAK = { KEYCLOAK_URL: 'https://sso.example.com', KEYCLOAK_CLIENT_SECRET: 'a-client-secret' };
const PRODUCTION = { NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(32), ...KEYCLOAK };

function registration(env: Record<string, string>) {
  return loadConfig({ env }).registration;
}

describe('registration settings', () => {
  it('are open with the embedded IdP outside production: the demo realm is for trying things', () => {
    expect(registration({})).toEqual({ enabled: true, autoLogin: true, perIpPerHour: 10 });
    expect(registration({ NODE_ENV: 'test' }).enabled).toBe(true);
  });

  it('are closed in front of a real Keycloak unless REGISTRATION_ENABLED says otherwise', () => {
    expect(registration(KEYCLOAK).enabled).toBe(false);
    expect(registration({ ...KEYCLOAK, REGISTRATION_ENABLED: 'true' }).enabled).toBe(true);
    expect(registration({ REGISTRATION_ENABLED: 'false' }).enabled).toBe(false);
  });

  it('are closed in production unless set explicitly, and open there only when set', () => {
    expect(registration(PRODUCTION).enabled).toBe(false);
    expect(registration({ ...PRODUCTION, REGISTRATION_ENABLED: 'true' }).enabled).toBe(true);
  });

  it('read the auto-login switch and the per-address limit', () => {
    expect(registration({ REGISTRATION_AUTO_LOGIN: 'false', REGISTRATIONS_PER_IP: '3' })).toEqual({
      enabled: true,
      autoLogin: false,
      perIpPerHour: 3,
    });
    expect(() => loadConfig({ env: { REGISTRATIONS_PER_IP: '0' } })).toThrow(/REGISTRATIONS_PER_IP/);
  });
});

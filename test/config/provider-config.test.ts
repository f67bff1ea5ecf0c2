import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../src/config/load-config.js';

// An empty folder of per-environment files: only what each test sets counts.
const configDir = mkdtempSync(join(tmpdir(), 'authgate-provider-config-'));
afterAll(() => rmSync(configDir, { recursive: true, force: true }));

const load = (env: Record<string, string>) => loadConfig({ env, configDir });

function problems(env: Record<string, string>): string[] {
  try {
    load(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected the configuration to be refused');
}

const SECRET = { IDP_CLIENT_SECRET: 'a-client-secret' };

describe('the provider in the configuration', () => {
  it('takes any issuer as a generic provider, with the dialect left to its data', () => {
    const { idp } = load({ IDP_ISSUER: 'https://login.example.org/oidc/', ...SECRET });
    expect(idp).toMatchObject({
      url: undefined,
      issuer: 'https://login.example.org/oidc/',
      dialect: 'generic',
      rolesClaim: undefined,
      accessTokens: undefined,
      clientId: 'authgate',
      clientSecret: 'a-client-secret',
    });
  });

  it.each([
    ['https://example.eu.auth0.com/', 'auth0'],
    ['https://login.microsoftonline.com/0b6a7b2c-1111-4f3e-9c1a-3b2a1c0d9e8f/v2.0', 'entra'],
    ['https://example.okta.com/oauth2/default', 'okta'],
    ['https://example.oktapreview.com', 'okta'],
    ['https://id.example.com', 'generic'],
  ])('detects the dialect of %s as %s', (issuer, dialect) => {
    expect(load({ IDP_ISSUER: issuer, ...SECRET }).idp.dialect).toBe(dialect);
  });

  it('takes IDP_DIALECT over the detection, for a hosted provider behind a custom domain', () => {
    expect(load({ IDP_ISSUER: 'https://login.example.com/', IDP_DIALECT: 'auth0', ...SECRET }).idp.dialect).toBe(
      'auth0',
    );
  });

  it('reads a Keycloak issuer as the Keycloak shorthand, so that its Admin API is found too', () => {
    const { idp } = load({ IDP_ISSUER: 'https://sso.example.com/realms/staff', ...SECRET });
    expect(idp).toMatchObject({
      url: 'https://sso.example.com',
      realm: 'staff',
      issuer: undefined,
      dialect: 'keycloak',
    });
  });

  it('keeps reading the older KEYCLOAK_CLIENT_ID and KEYCLOAK_CLIENT_SECRET', () => {
    const { idp } = load({
      KEYCLOAK_URL: 'https://sso.example.com',
      KEYCLOAK_CLIENT_ID: 'gateway',
      KEYCLOAK_CLIENT_SECRET: 'older-secret',
    });
    expect(idp).toMatchObject({ clientId: 'gateway', clientSecret: 'older-secret', dialect: 'keycloak' });
  });

  it.each([
    [
      { IDP_ISSUER: 'https://id.example.com', KEYCLOAK_URL: 'https://sso.example.com', ...SECRET },
      'IDP_ISSUER: set either IDP_ISSUER or KEYCLOAK_URL (with KEYCLOAK_REALM), not both',
    ],
    [{ IDP_ISSUER: 'https://id.example.com' }, 'IDP_CLIENT_SECRET: required when IDP_ISSUER is set'],
    [
      { IDP_DIALECT: 'okta' },
      'IDP_DIALECT: okta needs IDP_ISSUER (KEYCLOAK_URL and the embedded development IdP are Keycloak)',
    ],
    [{ IDP_ISSUER: 'https://id.example.com', IDP_DIALECT: 'azure', ...SECRET }, 'IDP_DIALECT: must be one of'],
    [
      { IDP_ISSUER: 'https://id.example.com', IDP_DIALECT: 'keycloak', ...SECRET },
      'IDP_ISSUER: a Keycloak issuer ends in /realms/<realm>; or set IDP_DIALECT to another dialect',
    ],
    [
      { IDP_ISSUER: 'https://sso.example.com/realms/staff', KEYCLOAK_REALM: 'demo', ...SECRET },
      'KEYCLOAK_REALM: demo is not the realm of IDP_ISSUER (staff); leave it unset',
    ],
    [
      {
        KEYCLOAK_URL: 'https://sso.example.com',
        IDP_CLIENT_SECRET: 'one',
        KEYCLOAK_CLIENT_SECRET: 'another',
      },
      'IDP_CLIENT_SECRET: KEYCLOAK_CLIENT_SECRET (its older name) says otherwise; set only IDP_CLIENT_SECRET',
    ],
    [
      { AUTH_MODE: 'token', PASSWORD_LOGIN: 'false' },
      'PASSWORD_LOGIN: token mode logs in only with a password; set AUTH_MODE=session to log in through the browser alone',
    ],
    [
      { NODE_ENV: 'production', IDP_ISSUER: 'http://id.internal', SESSION_SECRET: 'x'.repeat(32), ...SECRET },
      'IDP_ISSUER: must be https when NODE_ENV=production (set IDP_ALLOW_HTTP=true to accept plain http on a private network)',
    ],
    [
      { IDP_ISSUER: 'https://example.okta.com/oauth2/default', REGISTRATION_ENABLED: 'true', ...SECRET },
      "REGISTRATION_ENABLED: registration creates accounts through Keycloak's Admin API, which the okta dialect's provider does not have (docs/providers.md)",
    ],
    [
      { IDP_ISSUER: 'https://id.example.com', ROLES_CLAIM: 'two words', ...SECRET },
      'ROLES_CLAIM: must be a claim name',
    ],
    [
      { IDP_ISSUER: 'https://id.example.com', IDP_ACCESS_TOKENS: 'jwe', ...SECRET },
      'IDP_ACCESS_TOKENS: must be jwt or opaque',
    ],
  ])('refuses %j with a message that names what to change', (env, message) => {
    expect(problems(env).join('\n')).toContain(message);
  });

  it('keeps registration closed by default in front of any provider but the embedded one', () => {
    expect(load({ IDP_ISSUER: 'https://id.example.com', ...SECRET }).registration.enabled).toBe(false);
    expect(load({ IDP_ISSUER: 'https://sso.example.com/realms/staff', ...SECRET }).registration.enabled).toBe(false);
    expect(load({}).registration.enabled).toBe(true);
  });

  it('accepts session mode without the password login: the code flow is then the only login', () => {
    expect(load({ AUTH_MODE: 'session', PASSWORD_LOGIN: 'false' }).passwordLogin).toBe(false);
  });
});

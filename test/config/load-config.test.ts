import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../src/config/load-config.js';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function configDir(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'authgate-config-'));
  made.push(dir);
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

function problems(env: Record<string, string>, dir?: string): string[] {
  try {
    loadConfig({ env, ...(dir ? { configDir: dir } : {}) });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected the configuration to be refused');
}

describe('loadConfig', () => {
  it('starts from the documented defaults with an empty environment', () => {
    const config = loadConfig({ env: {} });
    expect(config).toMatchObject({
      nodeEnv: 'development',
      isProduction: false,
      port: 3000,
      authMode: 'session',
      idp: {
        url: undefined,
        realm: 'demo',
        clientId: 'authgate',
        clientSecret: undefined,
        timeoutMs: 5000,
        allowHttp: true,
      },
      devIdpPort: 8080,
      redisUrl: undefined,
      sessionSecretGenerated: true,
      publicUrl: 'http://localhost:3000',
      corsOrigins: [],
      logLevel: 'info',
    });
    expect(config.sessionSecret).toMatch(/^[\w-]{43}$/);
  });

  it("lets the environment win over config/<NODE_ENV>.json, which wins over the schema's default", () => {
    const dir = configDir({
      'staging.json': { PORT: 5000, KEYCLOAK_REALM: 'two' },
      'other.json': { LOG_LEVEL: 'debug' },
    });
    const config = loadConfig({ env: { NODE_ENV: 'staging', KEYCLOAK_REALM: 'three' }, configDir: dir });
    expect({ port: config.port, level: config.logLevel, realm: config.idp.realm }).toEqual({
      port: 5000,
      level: 'info',
      realm: 'three',
    });
  });

  it('refuses a config/default.json rather than ignore it, since the defaults live in the schema alone', () => {
    expect(problems({}, configDir({ 'default.json': { PORT: 4000 } }))).toEqual([
      expect.stringMatching(
        /\/default\.json: not read \(the defaults live in the schema\); put its entries in <NODE_ENV>\.json or the environment$/,
      ),
    ]);
  });

  it('parses lists, numbers and flags from their string forms', () => {
    const config = loadConfig({
      env: {
        CORS_ORIGINS: 'https://app.example.com, http://localhost:5173',
        IDP_TIMEOUT_MS: '1500',
        PORT: '0',
        KEYCLOAK_URL: 'https://sso.example.com/',
        KEYCLOAK_CLIENT_SECRET: 's',
      },
    });
    expect(config.corsOrigins).toEqual(['https://app.example.com', 'http://localhost:5173']);
    expect(config.idp).toMatchObject({ timeoutMs: 1500, url: 'https://sso.example.com' });
    expect(config.port).toBe(0);
  });

  it('returns a frozen object', () => {
    const config = loadConfig({ env: {} });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.idp)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT: must be a port number'],
    [{ PORT: '70000' }, 'PORT:'],
    [{ AUTH_MODE: 'cookie' }, 'AUTH_MODE: must be token or session'],
    [{ KEYCLOAK_URL: 'not a url' }, 'KEYCLOAK_URL: must be an absolute URL'],
    [
      { KEYCLOAK_URL: 'ftp://sso.example.com', KEYCLOAK_CLIENT_SECRET: 's' },
      'KEYCLOAK_URL: must be an http or https URL',
    ],
    [{ KEYCLOAK_URL: 'https://sso.example.com' }, 'IDP_CLIENT_SECRET: required when KEYCLOAK_URL is set'],
    [{ KEYCLOAK_REALM: 'a/b' }, 'KEYCLOAK_REALM: must be a realm name'],
    [{ IDP_TIMEOUT_MS: '10' }, 'IDP_TIMEOUT_MS:'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL: must be one of error, warn, info'],
    [{ CORS_ORIGINS: 'https://app.example.com/path' }, 'CORS_ORIGINS: each entry must be an origin'],
    [{ REDIS_URL: 'localhost:6379' }, 'REDIS_URL: must be a redis:// or rediss:// URL'],
    [{ IDP_ALLOW_HTTP: 'yes' }, 'IDP_ALLOW_HTTP:'],
  ])('refuses %j with a message naming the variable', (env, message) => {
    expect(problems(env).join('\n')).toContain(message);
  });

  it('defaults to session mode and still accepts token mode', () => {
    expect(loadConfig({ env: {}, configDir: configDir({}) }).authMode).toBe('session');
    expect(loadConfig({ env: { AUTH_MODE: 'token' }, configDir: configDir({}) }).authMode).toBe('token');
  });

  it("refuses Redis without a shared session secret, since instances could not read each other's sessions", () => {
    expect(problems({ REDIS_URL: 'redis://127.0.0.1:6379' })).toEqual([
      'SESSION_SECRET: required when REDIS_URL is set (every instance must share it to read the sessions in Redis)',
    ]);
  });

  it('refuses an https PUBLIC_URL with no trusted proxy, which would silently never set the Secure cookie', () => {
    expect(problems({ PUBLIC_URL: 'https://app.example.com' })).toEqual([
      'TRUST_PROXY: must be at least 1 when PUBLIC_URL is https (the gateway serves plain http behind a TLS proxy and needs its X-Forwarded-Proto to set Secure cookies)',
    ]);
    expect(
      loadConfig({ env: { PUBLIC_URL: 'https://app.example.com', TRUST_PROXY: '1' }, configDir: configDir({}) })
        .publicUrl,
    ).toBe('https://app.example.com');
  });

  it('in production session mode refuses a plain-http PUBLIC_URL other than localhost', () => {
    const production = {
      NODE_ENV: 'production',
      KEYCLOAK_URL: 'https://sso.example.com',
      KEYCLOAK_CLIENT_SECRET: 's',
      SESSION_SECRET: 'x'.repeat(32),
    };
    expect(problems({ ...production, PUBLIC_URL: 'http://app.example.com' })).toEqual([
      'PUBLIC_URL: must be https when NODE_ENV=production in session mode (the session cookie must be Secure)',
    ]);
    expect(
      loadConfig({ env: { ...production, PUBLIC_URL: 'http://localhost:3000' }, configDir: configDir({}) }).authMode,
    ).toBe('session');
    expect(
      loadConfig({
        env: { ...production, PUBLIC_URL: 'http://app.example.com', AUTH_MODE: 'token' },
        configDir: configDir({}),
      }).authMode,
    ).toBe('token');
  });

  it('in production requires a real provider over https and a session secret, and names each missing piece', () => {
    expect(problems({ NODE_ENV: 'production' })).toEqual([
      'KEYCLOAK_URL or IDP_ISSUER: one is required when NODE_ENV=production (the embedded development IdP refuses to run in production)',
      'SESSION_SECRET: required when NODE_ENV=production (at least 32 characters)',
    ]);
    expect(
      problems({
        NODE_ENV: 'production',
        KEYCLOAK_URL: 'http://keycloak:8080',
        KEYCLOAK_CLIENT_SECRET: 's',
        SESSION_SECRET: 'x'.repeat(32),
      }),
    ).toEqual([
      'KEYCLOAK_URL: must be https when NODE_ENV=production (set IDP_ALLOW_HTTP=true to accept plain http on a private network)',
    ]);
    const config = loadConfig({
      env: {
        NODE_ENV: 'production',
        KEYCLOAK_URL: 'http://keycloak:8080',
        KEYCLOAK_CLIENT_SECRET: 's',
        SESSION_SECRET: 'x'.repeat(32),
        IDP_ALLOW_HTTP: 'true',
      },
    });
    expect(config.idp.allowHttp).toBe(true);
  });

  it('never repeats a secret value in its message', () => {
    const message = problems({ SESSION_SECRET: 'short-but-secret' }).join('\n');
    expect(message).toContain('SESSION_SECRET: must be at least 32 characters');
    expect(message).not.toContain('short-but-secret');
  });

  it('refuses a config file entry it does not know and a config file that is not JSON', () => {
    expect(problems({}, configDir({ 'development.json': { PROT: 3000 } }))).toEqual([
      'PROT: not a setting authgate knows (config file entry)',
    ]);
    expect(problems({}, configDir({ 'development.json': '{ nope' }))).toEqual([
      expect.stringContaining('development.json: not a JSON object'),
    ]);
  });
});

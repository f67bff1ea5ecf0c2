import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { projectRoot } from '../support/project-root.js';
import { providerOf, type ProviderSettings } from './provider-settings.js';
import { SETTINGS, VARIABLES, type Settings } from './variables.js';

export interface Config {
  readonly nodeEnv: string;
  readonly isProduction: boolean;
  readonly port: number;
  readonly authMode: 'token' | 'session';
  readonly idp: ProviderSettings & {
    /** ROLES_CLAIM; unset: the dialect's. */
    readonly rolesClaim: string | undefined;
    /** IDP_ACCESS_TOKENS; unset: the dialect's. */
    readonly accessTokens: 'jwt' | 'opaque' | undefined;
    readonly timeoutMs: number;
    readonly allowHttp: boolean;
  };
  /** The password grant's routes are served (PASSWORD_LOGIN). */
  readonly passwordLogin: boolean;
  readonly devIdpPort: number;
  readonly redisUrl: string | undefined;
  readonly sessionSecret: string;
  /** True when SESSION_SECRET was not set and a random one was made for this process. */
  readonly sessionSecretGenerated: boolean;
  readonly publicUrl: string;
  readonly session: {
    readonly maxAgeSeconds: number;
    readonly refreshSkewSeconds: number;
  };
  readonly corsOrigins: readonly string[];
  readonly logLevel: string;
  readonly loginFailuresPerUser: number;
  readonly loginFailuresPerIp: number;
  readonly trustProxy: number;
  readonly registration: {
    /** Explicit REGISTRATION_ENABLED, else on only with the embedded IdP outside production (the demo realm). */
    readonly enabled: boolean;
    readonly autoLogin: boolean;
    readonly perIpPerHour: number;
  };
  readonly serviceTokens: {
    readonly enabled: boolean;
    readonly maxDays: number;
    readonly eternal: boolean;
    readonly creatorRole: string | undefined;
  };
}

// Browsers treat http://localhost as a secure context: a demo on one machine needs no certificate.
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions {
  env?: Record<string, string | undefined>;
  /** Folder holding the per-environment files, <NODE_ENV>.json. */
  configDir?: string;
}

/**
 * The only reader of the environment. Environment variables win over config/<NODE_ENV>.json, which wins over the
 * schema's default (variables.ts, the one copy of each default). A wrong or missing value throws a ConfigError naming
 * every offending variable.
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const configDir = options.configDir ?? join(projectRoot(), 'config');
  const nodeEnv = env.NODE_ENV ?? 'development';
  // A file of defaults that won over the schema's made a second copy, where editing the schema could change nothing:
  // refused rather than ignored, so that a deployment which still has one learns its values are not read.
  const defaultsFile = join(configDir, 'default.json');
  if (existsSync(defaultsFile)) {
    throw new ConfigError([
      `${fileName(defaultsFile)}: not read (the defaults live in the schema); put its entries in <NODE_ENV>.json or the environment`,
    ]);
  }
  const merged: Record<string, unknown> = readJson(join(configDir, `${nodeEnv}.json`));
  for (const name of Object.keys(VARIABLES)) {
    const value = env[name];
    if (value !== undefined && value !== '') merged[name] = value;
  }
  const unknown = Object.keys(merged).filter((k) => !(k in VARIABLES));
  if (unknown.length > 0)
    throw new ConfigError(unknown.map((k) => `${k}: not a setting authgate knows (config file entry)`));

  const parsed = SETTINGS.safeParse(merged);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${String(issue.path[0] ?? '(config)')}: ${issue.message}`),
    );
  }
  return deepFreeze(toConfig(parsed.data, new Set(Object.keys(merged))));
}

/** `given`: the names the environment or the config file set, which a schema default cannot tell. */
function toConfig(raw: Settings, given: ReadonlySet<string>): Config {
  const isProduction = raw.NODE_ENV === 'production';
  const problems: string[] = [];
  const provider = providerOf(raw, given, problems);
  if (isProduction && !provider.url && !provider.issuer) {
    problems.push(
      'KEYCLOAK_URL or IDP_ISSUER: one is required when NODE_ENV=production (the embedded development IdP refuses to run in production)',
    );
  }
  const providerUrl = raw.KEYCLOAK_URL ? 'KEYCLOAK_URL' : 'IDP_ISSUER';
  if (isProduction && (raw.KEYCLOAK_URL ?? raw.IDP_ISSUER)?.startsWith('http:') && !raw.IDP_ALLOW_HTTP) {
    problems.push(
      `${providerUrl}: must be https when NODE_ENV=production (set IDP_ALLOW_HTTP=true to accept plain http on a private network)`,
    );
  }
  if (raw.REGISTRATION_ENABLED && provider.dialect !== 'keycloak') {
    problems.push(
      `REGISTRATION_ENABLED: registration creates accounts through Keycloak's Admin API, which the ${provider.dialect} dialect's provider does not have (docs/providers.md)`,
    );
  }
  if (raw.AUTH_MODE === 'token' && !raw.PASSWORD_LOGIN) {
    problems.push(
      'PASSWORD_LOGIN: token mode logs in only with a password; set AUTH_MODE=session to log in through the browser alone',
    );
  }
  if (isProduction && !raw.SESSION_SECRET) {
    problems.push('SESSION_SECRET: required when NODE_ENV=production (at least 32 characters)');
  }
  if (raw.REDIS_URL && !raw.SESSION_SECRET) {
    problems.push(
      'SESSION_SECRET: required when REDIS_URL is set (every instance must share it to read the sessions in Redis)',
    );
  }
  const publicUrl = new URL(raw.PUBLIC_URL);
  if (publicUrl.protocol === 'https:' && raw.TRUST_PROXY === 0) {
    problems.push(
      'TRUST_PROXY: must be at least 1 when PUBLIC_URL is https (the gateway serves plain http behind a TLS proxy and needs its X-Forwarded-Proto to set Secure cookies)',
    );
  }
  if (
    isProduction &&
    raw.AUTH_MODE === 'session' &&
    publicUrl.protocol === 'http:' &&
    !LOOPBACK_HOSTS.has(publicUrl.hostname)
  ) {
    problems.push(
      'PUBLIC_URL: must be https when NODE_ENV=production in session mode (the session cookie must be Secure)',
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    nodeEnv: raw.NODE_ENV,
    isProduction,
    port: raw.PORT,
    authMode: raw.AUTH_MODE,
    idp: {
      ...provider,
      rolesClaim: raw.ROLES_CLAIM,
      accessTokens: raw.IDP_ACCESS_TOKENS,
      timeoutMs: raw.IDP_TIMEOUT_MS,
      allowHttp: raw.IDP_ALLOW_HTTP || !isProduction,
    },
    passwordLogin: raw.PASSWORD_LOGIN,
    devIdpPort: raw.DEV_IDP_PORT,
    redisUrl: raw.REDIS_URL,
    sessionSecret: raw.SESSION_SECRET ?? randomBytes(32).toString('base64url'),
    sessionSecretGenerated: raw.SESSION_SECRET === undefined,
    publicUrl: raw.PUBLIC_URL,
    session: { maxAgeSeconds: raw.SESSION_MAX_AGE_SECONDS, refreshSkewSeconds: raw.REFRESH_SKEW_SECONDS },
    corsOrigins: raw.CORS_ORIGINS,
    logLevel: raw.LOG_LEVEL,
    loginFailuresPerUser: raw.LOGIN_FAILURES_PER_USER,
    loginFailuresPerIp: raw.LOGIN_FAILURES_PER_IP,
    trustProxy: raw.TRUST_PROXY,
    registration: {
      // Unset, it follows the realm: the embedded IdP's demo realm is for trying things out; a real realm is
      // opened to sign-ups only by someone who set the variable (production cannot run the embedded IdP).
      enabled: raw.REGISTRATION_ENABLED ?? (!provider.url && !provider.issuer && !isProduction),
      autoLogin: raw.REGISTRATION_AUTO_LOGIN,
      perIpPerHour: raw.REGISTRATIONS_PER_IP,
    },
    serviceTokens: {
      enabled: raw.SERVICE_TOKENS,
      maxDays: raw.SERVICE_TOKEN_MAX_DAYS,
      eternal: raw.SERVICE_TOKENS_ETERNAL,
      creatorRole: raw.SERVICE_TOKEN_CREATOR_ROLE,
    },
  };
}

function readJson(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return {};
  }
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new ConfigError([`${fileName(path)}: not a JSON object`]);
}

/** The file with its folder (config/test.json), without the machine's path to it. */
function fileName(path: string): string {
  return path.split(/[\\/]/).slice(-2).join('/');
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

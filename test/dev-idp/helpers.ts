import { join } from 'node:path';
import { Writable } from 'node:stream';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { createLogger, type Logger } from '../../src/observability/logger.js';
import { projectRoot } from '../../src/project-root.js';
import { loadRealmFile, startDevIdp, type DevIdp, type DevIdpOptions, type Realm, type RealmFile } from '../../src/dev-idp/index.js';

export const CLIENT = { client_id: 'authgate', client_secret: 'authgate-dev-secret' } as const;
export const OIDC = '/protocol/openid-connect';

export function quietLogger(): Logger {
  return createLogger({ level: 'error', stream: new Writable({ write: (_chunk, _encoding, callback) => callback() }) });
}

export async function demoRealm(): Promise<Realm> {
  return loadRealmFile(join(projectRoot(), 'keycloak-realm.json'));
}

/** Test time: real time plus an offset the test moves, in place of sleeping. */
export class TestClock {
  private offset = 0;
  readonly now = (): number => Date.now() + this.offset;
  advanceSeconds(seconds: number): void {
    this.offset += seconds * 1000;
  }
}

/** The development IdP on an ephemeral port, seeded from the demo realm, optionally changed by the test. */
export async function startIdp(options: Partial<Omit<DevIdpOptions, 'realm'>> & { realm?: (realm: Realm) => RealmFile } = {}): Promise<DevIdp> {
  const { realm: change, ...rest } = options;
  const realm = await demoRealm();
  return startDevIdp({ port: 0, logger: quietLogger(), ...rest, realm: change ? change(structuredClone(realm)) : realm });
}

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON (undefined when empty). */
  readonly body: Record<string, unknown> | undefined;
}

export async function post(idp: DevIdp, path: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await fetch(`${idp.issuer}${path}`, { method: 'POST', body: new URLSearchParams(form), headers });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

export const token = (idp: DevIdp, form: Record<string, string>, headers: Record<string, string> = {}) => post(idp, `${OIDC}/token`, form, headers);

export const login = (idp: DevIdp, username: string, password: string, extra: Record<string, string> = {}) =>
  token(idp, { grant_type: 'password', ...CLIENT, username, password, ...extra });

export const refresh = (idp: DevIdp, refreshToken: unknown, extra: Record<string, string> = {}) =>
  token(idp, { grant_type: 'refresh_token', ...CLIENT, refresh_token: String(refreshToken), ...extra });

export const logout = (idp: DevIdp, refreshToken: unknown, client: Record<string, string> = CLIENT) =>
  post(idp, `${OIDC}/logout`, { ...client, refresh_token: String(refreshToken) });

export function claims(jwt: unknown): Record<string, unknown> {
  return decodeJwt(String(jwt));
}

export function header(jwt: unknown): Record<string, unknown> {
  return decodeProtectedHeader(String(jwt));
}

export function oauthError(error: string, description: string): { error: string; error_description: string } {
  return { error, error_description: description };
}

/** A realm change adding a second confidential client with direct grants. */
export function withOtherClient(realm: Realm): Realm {
  realm.clients.push({ ...realm.clients[0]!, clientId: 'other', secret: 'other-secret', serviceAccountsEnabled: false });
  return realm;
}

/** A real logger whose JSON lines the test reads back. */
export function capturingLogger(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  const lines = () =>
    chunks
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger: createLogger({ level: 'silly', stream }), lines };
}

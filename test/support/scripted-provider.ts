import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedAnswer {
  status: number;
  body?: string;
  contentType?: string;
  /** Never answer: the socket stays open until the server closes. */
  hang?: boolean;
  /** Answer, but only after this long. */
  delayMs?: number;
}

export interface ScriptedProvider {
  url: string;
  /** The issuer the discovery document announces. */
  issuer: string;
  /** What the token and logout (or revocation) endpoints answer next (until changed). */
  answer(endpoint: 'token' | 'logout' | 'discovery' | 'jwks', answer: ScriptedAnswer): void;
  requests: { method: string; path: string; body: string }[];
  close(): Promise<void>;
}

/**
 * A stand-in for Keycloak that gives canned answers, for the answers the embedded IdP cannot produce (other
 * Keycloak versions, broken proxies, a hanging server). Discovery is Keycloak's layout, so openid-client talks
 * to it exactly as it talks to Keycloak; only the answers are scripted.
 */
/**
 * A hosted provider's layout instead: the issuer at `issuerPath` (Auth0's ends in a slash), discovery below it, and the
 * token, revocation, userinfo and key-set endpoints under `endpointsPath` as the provider names them.
 */
export interface HostedLayout {
  issuerPath: string;
  endpoints: { token: string; revocation: string; jwks: string; userinfo: string };
}

export async function startScriptedProvider(layout: string | HostedLayout = 'demo'): Promise<ScriptedProvider> {
  const answers = new Map<string, ScriptedAnswer>();
  const requests: ScriptedProvider['requests'] = [];
  const hanging = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => void handle(req, res));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const realm = typeof layout === 'string' ? layout : undefined;
  const base = `/realms/${realm}/protocol/openid-connect`;
  const paths =
    typeof layout === 'string'
      ? {
          issuer: `/realms/${realm}`,
          discovery: `/realms/${realm}/.well-known/openid-configuration`,
          token: `${base}/token`,
          logout: `${base}/logout`,
          jwks: `${base}/certs`,
          userinfo: `${base}/userinfo`,
        }
      : {
          issuer: layout.issuerPath,
          discovery: `${layout.issuerPath.replace(/\/$/, '')}/.well-known/openid-configuration`,
          token: layout.endpoints.token,
          logout: layout.endpoints.revocation,
          jwks: layout.endpoints.jwks,
          userinfo: layout.endpoints.userinfo,
        };
  const issuer = `${url}${paths.issuer}`;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = (req.url ?? '').split('?')[0] ?? '';
    requests.push({ method: req.method ?? '', path, body: Buffer.concat(chunks).toString('utf8') });
    const endpoint =
      path === paths.discovery
        ? 'discovery'
        : path === paths.jwks
          ? 'jwks'
          : path === paths.token
            ? 'token'
            : path === paths.logout
              ? 'logout'
              : undefined;
    const scripted = endpoint ? answers.get(endpoint) : undefined;
    if (scripted?.hang) {
      hanging.add(res);
      return;
    }
    if (scripted?.delayMs) await new Promise((resolve) => setTimeout(resolve, scripted.delayMs));
    if (scripted) {
      res.writeHead(scripted.status, scripted.contentType ? { 'content-type': scripted.contentType } : {});
      res.end(scripted.body ?? '');
      return;
    }
    if (endpoint === 'discovery') return json(res, 200, discovery());
    if (endpoint === 'jwks') return json(res, 200, { keys: [] });
    json(res, 404, { error: 'Realm does not exist' });
  }

  function discovery() {
    const endpoints =
      realm === undefined
        ? { revocation_endpoint: `${url}${paths.logout}` }
        : { end_session_endpoint: `${url}${paths.logout}` };
    return {
      issuer,
      authorization_endpoint: `${url}${paths.issuer.replace(/\/$/, '')}/authorize`,
      token_endpoint: `${url}${paths.token}`,
      jwks_uri: `${url}${paths.jwks}`,
      ...endpoints,
      userinfo_endpoint: `${url}${paths.userinfo}`,
      grant_types_supported: ['authorization_code', 'refresh_token', 'password', 'client_credentials'],
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
    };
  }

  return {
    url,
    issuer,
    requests,
    answer: (endpoint, answer) => answers.set(endpoint, answer),
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function keycloakError(status: number, error: string, description?: string): ScriptedAnswer {
  const body = description === undefined ? { error } : { error, error_description: description };
  return { status, body: JSON.stringify(body), contentType: 'application/json' };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

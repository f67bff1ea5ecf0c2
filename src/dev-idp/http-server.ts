import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { Logger } from '../observability/logger.js';
import { adminRealmRoute } from './admin-realm-endpoint.js';
import { adminUsersRoute } from './admin-users-endpoint.js';
import { presentedClient } from './client-auth.js';
import type { EndpointRequest, IdpContext } from './context.js';
import { Form, formOf, readBody } from './form.js';
import { introspectionEndpoint } from './introspection-endpoint.js';
import { KC, KeycloakError } from './keycloak-error.js';
import { logoutEndpoint } from './logout-endpoint.js';
import { revocationEndpoint } from './revocation-endpoint.js';
import type { SeenRequest } from './seen.js';
import { tokenEndpoint, type Grant } from './token-endpoint.js';
import { userinfoEndpoint } from './userinfo-endpoint.js';

type Endpoint = SeenRequest['endpoint'];

interface Answer {
  readonly status: number;
  /** Not this endpoint's request after all: oidc-provider answers it (Keycloak's browser logout). */
  readonly toProvider?: true;
  readonly json?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly error?: string;
  readonly errorDescription?: string;
}

const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };
const OIDC = '/protocol/openid-connect';

export interface HttpHandlerOptions {
  readonly ctx: IdpContext;
  readonly provider: Provider;
  readonly logger: Logger;
  readonly record: (seen: SeenRequest) => void;
  /** The authorization_code grant, served by the login flow module. */
  readonly codeGrant?: Grant;
  /** Other pages below /realms/<realm> that are not oidc-provider's (the login page); true when answered. */
  readonly extraRoutes?: (req: IncomingMessage, res: ServerResponse, path: string) => Promise<boolean>;
}

function send(res: ServerResponse, answer: Answer): void {
  // Node's own API: Express-style helpers would append "; charset=utf-8", and Keycloak sends plain application/json.
  const headers: Record<string, string> = { ...answer.headers };
  const body = answer.json === undefined ? undefined : JSON.stringify(answer.json);
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  res.writeHead(answer.status, headers);
  res.end(body);
}

function errorAnswer(error: KeycloakError, headers: Readonly<Record<string, string>> = {}): Answer {
  return {
    status: error.status,
    json: error.body(),
    headers,
    error: error.error,
    ...(error.description === undefined ? {} : { errorDescription: error.description }),
  };
}

function remoteAddressOf(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/** The plain-http handler: Keycloak's realm guard and form endpoints first, oidc-provider for everything else of the realm. */
export function createRequestHandler(options: HttpHandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { ctx, provider, logger } = options;
  const providerCallback = provider.callback();
  const adminRoute = adminUsersRoute(ctx);
  const realmRoute = adminRealmRoute(ctx);

  const formEndpoints: Record<
    string,
    { endpoint: Endpoint; methods: readonly string[]; run: (req: EndpointRequest) => Promise<Answer> }
  > = {
    [`${OIDC}/token`]: {
      endpoint: 'token',
      methods: ['POST'],
      run: async (req) => {
        const extra: Record<string, Grant> = options.codeGrant ? { authorization_code: options.codeGrant } : {};
        return { status: 200, json: await tokenEndpoint(ctx, req, extra), headers: NO_STORE };
      },
    },
    [`${OIDC}/logout`]: {
      endpoint: 'logout',
      methods: ['POST'],
      // Keycloak's LogoutEndpoint: a form with a refresh_token is a back-channel logout, any other is the browser's.
      run: async (req) =>
        req.form.get('refresh_token') === undefined
          ? { status: 200, toProvider: true }
          : (await logoutEndpoint(ctx, req), { status: 204 }),
    },
    [`${OIDC}/revoke`]: {
      endpoint: 'revoke',
      methods: ['POST'],
      run: async (req) => (await revocationEndpoint(ctx, req), { status: 200 }),
    },
    [`${OIDC}/token/introspect`]: {
      endpoint: 'introspect',
      methods: ['POST'],
      run: async (req) => ({ status: 200, json: await introspectionEndpoint(ctx, req) }),
    },
    [`${OIDC}/userinfo`]: {
      endpoint: 'userinfo',
      methods: ['GET', 'POST'],
      run: async (req) => {
        const a = await userinfoEndpoint(ctx, req);
        // Keycloak's failures: the header, and an empty body typed as text.
        const headers: Record<string, string> = a.challenge
          ? { 'WWW-Authenticate': a.challenge, 'Content-Type': 'text/plain;charset=utf-8' }
          : { 'Cache-Control': 'no-cache' };
        return {
          status: a.status,
          headers,
          ...(a.body ? { json: a.body } : {}),
          ...(a.error ? { error: a.error } : {}),
          ...(a.errorDescription ? { errorDescription: a.errorDescription } : {}),
        };
      },
    },
  };

  async function serveForm(
    req: IncomingMessage,
    res: ServerResponse,
    endpoint: Endpoint,
    run: (r: EndpointRequest) => Promise<Answer>,
    passOn: () => Promise<void>,
  ): Promise<void> {
    let form = Form.empty();
    let answer: Answer;
    try {
      const body = await readBody(req);
      form = formOf(req, body);
      const request: EndpointRequest = {
        form,
        authorization: req.headers.authorization,
        presented: presentedClient(req.headers.authorization, form),
        remoteAddress: remoteAddressOf(req),
      };
      answer = await run(request);
      if (answer.toProvider) {
        // oidc-provider reads a body that was read already from req.body; one that is not a form is none, as here.
        if (form.isEmpty()) delete req.headers['content-type'];
        else Object.assign(req, { body });
        await passOn();
        return;
      }
    } catch (error) {
      if (!(error instanceof KeycloakError)) {
        logger.error('development IdP failed on a request', {
          event: 'dev_idp.internal_error',
          endpoint,
          error: error instanceof Error ? error.message : String(error),
        });
        answer = { status: 500, json: { error: 'unknown_error' }, error: 'unknown_error' };
      } else if (endpoint === 'revoke' && error.status === 200) {
        answer = errorAnswer(error); // Keycloak's "invalid token, but success" answer
      } else {
        answer = errorAnswer(error, endpoint === 'token' ? NO_STORE : {});
      }
    }
    send(res, answer);
    const { clientId } = presentedClient(req.headers.authorization, form);
    const grantType = endpoint === 'token' ? form.get('grant_type') : undefined;
    const seen: SeenRequest = {
      endpoint,
      ...(grantType === undefined ? {} : { grantType }),
      ...(clientId === undefined ? {} : { clientId }),
      status: answer.status,
      ...(answer.error === undefined ? {} : { error: answer.error }),
      ...(answer.errorDescription === undefined ? {} : { errorDescription: answer.errorDescription }),
    };
    options.record(seen);
    logger.debug('development IdP answered', { event: 'dev_idp.request', ...seen });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
    const segments = rawPath.split('/');
    if (segments[1] === 'admin' && ((await adminRoute(req, res, rawPath)) || (await realmRoute(req, res, rawPath))))
      return;
    if (segments[1] !== 'realms' || segments[2] === undefined) {
      send(res, { status: 404, json: { error: 'Unable to find matching target resource method' } });
      return;
    }
    let realmName: string;
    try {
      realmName = decodeURIComponent(segments[2]);
    } catch {
      realmName = '';
    }
    if (realmName !== ctx.realm.name) {
      send(res, { status: 404, json: KC.realmDoesNotExist().body() });
      return;
    }
    const prefix = `/realms/${segments[2]}`;
    const path = rawPath.slice(prefix.length);
    const toProvider = async () => {
      // Mounted as Express would mount it: oidc-provider derives its mount path from originalUrl minus url.
      const originalUrl = req.url ?? '/';
      Object.assign(req, { originalUrl });
      req.url = originalUrl.slice(prefix.length) || '/';
      await providerCallback(req, res);
    };
    const form = formEndpoints[path];
    if (form && form.methods.includes(req.method ?? '')) {
      await serveForm(req, res, form.endpoint, form.run, toProvider);
      return;
    }
    if (options.extraRoutes && (await options.extraRoutes(req, res, path))) return;
    await toProvider();
  }

  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.error('development IdP failed on a request', {
        event: 'dev_idp.internal_error',
        error: error instanceof Error ? error.message : String(error),
      });
      if (!res.headersSent) send(res, { status: 500, json: { error: 'unknown_error' } });
      else res.end();
    });
  };
}

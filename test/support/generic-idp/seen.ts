import type { KoaContextWithOIDC } from 'oidc-provider';

/** One request to an endpoint the gateway calls, as the provider saw it: what a test asserts about the provider side. */
export interface SeenRequest {
  method: string;
  endpoint: 'token' | 'revocation' | 'userinfo' | 'introspection' | 'end_session';
  clientId?: string;
  /** The form (or query) parameters, but for those in `withheld`. */
  params: Record<string, string>;
  /** The names of the secret parameters the request carried (client_secret, password, tokens, codes). */
  withheld: string[];
  status: number;
  error?: string;
  errorDescription?: string;
}

const ENDPOINTS: Record<string, SeenRequest['endpoint']> = {
  token: 'token',
  revocation: 'revocation',
  userinfo: 'userinfo',
  introspection: 'introspection',
  end_session: 'end_session',
  end_session_confirm: 'end_session',
};

const SECRETS = new Set([
  'client_secret',
  'client_assertion',
  'password',
  'refresh_token',
  'code',
  'code_verifier',
  'token',
  'access_token',
  'id_token_hint',
  'xsrf',
]);

function paramsOf(ctx: KoaContextWithOIDC): Record<string, unknown> {
  const body = ctx.oidc.body as Record<string, unknown> | undefined;
  return ctx.method === 'POST' && body ? body : (ctx.query as Record<string, unknown>);
}

/** Koa middleware for the provider (provider.use): appends each such request to `record` once it is answered. */
export function recordRequests(record: (seen: SeenRequest) => void) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> => {
    await next();
    const endpoint = ENDPOINTS[ctx.oidc?.route ?? ''];
    if (!endpoint) return;
    const params: Record<string, string> = {};
    const withheld: string[] = [];
    for (const [name, value] of Object.entries(paramsOf(ctx))) {
      if (typeof value !== 'string') continue;
      if (SECRETS.has(name)) withheld.push(name);
      else params[name] = value;
    }
    const body = ctx.body as { error?: unknown; error_description?: unknown } | undefined;
    const failed = ctx.status >= 400 && body && typeof body === 'object';
    record({
      method: ctx.method,
      endpoint,
      ...(ctx.oidc.client ? { clientId: ctx.oidc.client.clientId } : {}),
      params,
      withheld: withheld.sort(),
      status: ctx.status,
      ...(failed && typeof body.error === 'string' ? { error: body.error } : {}),
      ...(failed && typeof body.error_description === 'string' ? { errorDescription: body.error_description } : {}),
    });
  };
}

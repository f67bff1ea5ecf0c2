import { z } from 'zod';
import { ALL_ERROR_CODES, ERROR_CODES, type ErrorCode } from '../../contract/errors.js';
import { loginBody, logoutBody, refreshBody } from '../validation.js';

type Json = Record<string, unknown>;

const IDP_FAILURES: ErrorCode[] = ['unauthorized_client', 'idp_error', 'idp_unavailable', 'idp_timeout'];
const BODY_FAILURES: ErrorCode[] = ['invalid_request', 'payload_too_large', 'unsupported_media_type'];

const user = {
  type: 'object',
  required: ['sub', 'username', 'email', 'name', 'roles'],
  properties: {
    sub: { type: 'string', description: 'the user id at the provider' },
    username: { type: 'string' },
    email: { type: ['string', 'null'] },
    name: { type: ['string', 'null'] },
    roles: { type: 'array', items: { type: 'string' }, description: "the user's realm roles" },
  },
};

const tokenSet = {
  type: 'object',
  required: ['access_token', 'expires_in', 'token_type'],
  properties: {
    access_token: { type: 'string' },
    refresh_token: { type: 'string', description: 'rotated on every refresh when the realm says so: always keep the newest' },
    id_token: { type: 'string' },
    expires_in: { type: 'integer', description: 'seconds until the access token expires' },
    refresh_expires_in: { type: 'integer', description: 'seconds until the refresh token expires' },
    token_type: { const: 'Bearer' },
    scope: { type: 'string' },
  },
};

const sessionTimes = {
  type: 'object',
  required: ['expires_at', 'access_expires_at'],
  properties: {
    expires_at: { type: 'string', format: 'date-time', description: "when the session ends: the refresh token's end, capped by SESSION_MAX_AGE_SECONDS" },
    access_expires_at: { type: 'string', format: 'date-time', description: 'when the access token the gateway holds expires (it refreshes before then by itself)' },
  },
};

/** The OpenAPI 3.1 document served at /api/openapi.json: every endpoint and every error code of the contract. */
export function openApiDocument(): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'authgate',
      version: '1',
      description:
        'An auth gateway (BFF) in front of Keycloak. Every non-2xx answer is `{"error": <code>, "message": <text>}` ' +
        '(plus `details` for invalid_request field problems). Every response carries `X-Request-Id`.\n\n' +
        'Two delivery modes, chosen by `AUTH_MODE`. **Session mode** (the default): the tokens stay in the gateway, the ' +
        'browser holds an HttpOnly session cookie, every POST/PUT/PATCH/DELETE needs `X-CSRF: 1` (403 csrf_rejected ' +
        'otherwise) and the gateway refreshes by itself. **Token mode**: the tokens are returned in JSON. Where an ' +
        'operation differs by mode, its description and its `oneOf` answers say which is which.',
    },
    paths: {
      '/api/auth/login': {
        post: {
          summary: 'Log in with username and password',
          description: 'Token mode: the tokens are returned. Session mode: a session cookie is set (a new session id every time) and no token is returned; needs `X-CSRF: 1`.',
          security: [{}, { csrf: [] }],
          requestBody: body(loginBody),
          responses: {
            200: ok('Logged in', { oneOf: [ref('TokenModeLogin'), ref('SessionModeLogin')] }),
            ...errors(['credentials_required', 'invalid_scope', 'invalid_credentials', 'account_disabled', 'account_not_ready', 'csrf_rejected', 'rate_limited', 'session_store_unavailable', ...BODY_FAILURES, ...IDP_FAILURES]),
          },
        },
        get: {
          summary: "Session mode: start a login at the provider's page (authorization code flow with PKCE S256, state and nonce)",
          parameters: [
            {
              name: 'return_to',
              in: 'query',
              required: false,
              schema: { type: 'string', maxLength: 2048, default: '/' },
              description:
                'a path on this site (such as /app) to come back to after the login; checked after normalisation: it must start with a single /, stay on this origin and hold no encoded / or \\ (400 invalid_request otherwise)',
            },
          ],
          responses: {
            302: { description: "to the provider's authorization endpoint; sets the short-lived `authgate.login` cookie (SameSite=Lax)" },
            ...errors(['invalid_request', 'session_store_unavailable', ...IDP_FAILURES]),
          },
        },
      },
      '/api/auth/callback': {
        get: {
          summary: 'Session mode: where the provider sends the browser back; creates the session',
          parameters: ['code', 'state', 'iss', 'error'].map((name) => ({ name, in: 'query', required: false, schema: { type: 'string' } })),
          responses: {
            302: { description: 'to `return_to`, with the session cookie set' },
            ...errors(['invalid_request', 'session_store_unavailable', ...IDP_FAILURES]),
          },
        },
      },
      '/api/auth/session': {
        get: {
          summary: 'Session mode: is this browser logged in? Always 200, never refreshes, never calls the provider',
          security: [{}, { sessionCookie: [] }],
          responses: {
            200: ok('The session state', {
              oneOf: [
                { type: 'object', required: ['authenticated'], properties: { authenticated: { const: false } } },
                {
                  type: 'object',
                  required: ['authenticated', 'user', 'expires_at'],
                  properties: { authenticated: { const: true }, user: ref('User'), expires_at: { type: 'string', format: 'date-time' } },
                },
              ],
            }),
            ...errors(['session_store_unavailable']),
          },
        },
      },
      '/api/auth/refresh-token': {
        post: {
          summary: 'Refresh the tokens',
          description:
            'Token mode: trade the refresh token in the body for new tokens. Session mode: no body; the session is refreshed ' +
            '(one refresh grant however many requests ask at once, on every instance); needs `X-CSRF: 1`. A refused refresh ' +
            'destroys the session (401 session_expired).',
          security: [{}, { sessionCookie: [], csrf: [] }],
          requestBody: { ...body(refreshBody), required: false },
          responses: {
            200: ok('Refreshed', { oneOf: [ref('TokenModeRefresh'), ref('SessionModeRefresh')] }),
            ...errors([
              'refresh_token_required',
              'invalid_grant',
              'invalid_scope',
              'unauthenticated',
              'session_expired',
              'csrf_rejected',
              'session_store_unavailable',
              ...BODY_FAILURES,
              ...IDP_FAILURES,
            ]),
          },
        },
      },
      '/api/auth/logout': {
        post: {
          summary: "End the provider's session",
          description:
            'Token mode: the refresh token in the body says which session; once the provider has ended it, every access token ' +
            'of that session is refused (401 token_revoked), and an access token given as Bearer is refused too. Session mode: no body; the session is destroyed and its cookie cleared; needs `X-CSRF: 1`. Both: 200 ' +
            "also when the provider's session had already ended.",
          security: [{}, { bearer: [] }, { sessionCookie: [], csrf: [] }],
          requestBody: { ...body(logoutBody), required: false },
          responses: {
            200: ok('Logged out (also when the session had already ended)', {
              type: 'object',
              required: ['message'],
              properties: { message: { const: 'Logged out' } },
            }),
            ...errors(['refresh_token_required', 'invalid_grant', 'csrf_rejected', 'session_store_unavailable', ...BODY_FAILURES, ...IDP_FAILURES]),
          },
        },
      },
      '/api/auth/me': {
        get: {
          summary: 'Who is logged in',
          description:
            'Token mode: the bearer of the access token, verified locally against the provider keys. Session mode: the ' +
            'user of the session; an access token close to expiry is refreshed first, and then the answer carries ' +
            '`X-Session-Refreshed: 1`.',
          security: [{ bearer: [] }, { sessionCookie: [] }],
          responses: {
            200: ok('The user', { type: 'object', required: ['user'], properties: { user: ref('User') } }),
            ...errors(['unauthenticated', 'token_expired', 'token_revoked', 'session_expired', 'session_store_unavailable', ...IDP_FAILURES]),
          },
        },
      },
      '/healthz': {
        get: { summary: 'Liveness: 200 while the process lives', responses: { 200: ok('Alive', { type: 'object', properties: { status: { const: 'ok' } } }) } },
      },
      '/readyz': {
        get: {
          summary: 'Readiness: the provider answers discovery and its key set, and Redis answers when REDIS_URL is set',
          responses: {
            200: ok('Ready', { type: 'object', properties: { status: { const: 'ready' }, checks: { type: 'object' } } }),
            ...errors(['session_store_unavailable', 'idp_error', 'idp_unavailable', 'idp_timeout']),
          },
        },
      },
      '/api/openapi.json': { get: { summary: 'This document', responses: { 200: ok('OpenAPI 3.1', { type: 'object' }) } } },
      '/api/docs': { get: { summary: 'Swagger UI for this document', responses: { 200: { description: 'HTML page' } } } },
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'token mode' },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: 'authgate.sid', description: 'session mode; `__Host-authgate.sid` when PUBLIC_URL is https' },
        csrf: { type: 'apiKey', in: 'header', name: 'X-CSRF', description: 'session mode: the value `1`, on every POST, PUT, PATCH and DELETE' },
      },
      headers: { 'X-Request-Id': { schema: { type: 'string' }, description: 'the request id, also on every log line' } },
      schemas: {
        User: user,
        TokenSet: tokenSet,
        SessionTimes: sessionTimes,
        TokenModeLogin: {
          title: 'token mode',
          type: 'object',
          required: ['message', 'token', 'user'],
          properties: { message: { const: 'Login successful' }, token: ref('TokenSet'), user: ref('User') },
        },
        SessionModeLogin: {
          title: 'session mode',
          type: 'object',
          required: ['message', 'user', 'session'],
          properties: { message: { const: 'Login successful' }, user: ref('User'), session: ref('SessionTimes') },
        },
        TokenModeRefresh: {
          title: 'token mode',
          type: 'object',
          required: ['message', 'token'],
          properties: { message: { const: 'Token refreshed successfully' }, token: ref('TokenSet') },
        },
        SessionModeRefresh: {
          title: 'session mode',
          type: 'object',
          required: ['message', 'session'],
          properties: { message: { const: 'Token refreshed successfully' }, session: ref('SessionTimes') },
        },
        Error: {
          type: 'object',
          required: ['error', 'message'],
          properties: {
            error: { type: 'string', enum: ALL_ERROR_CODES, description: catalogue() },
            message: { type: 'string', description: 'for humans; may change, branch on `error`' },
            details: {
              type: 'array',
              description: 'invalid_request only: which fields are wrong',
              items: { type: 'object', required: ['field', 'problem'], properties: { field: { type: 'string' }, problem: { type: 'string' } } },
            },
          },
        },
      },
    },
  };
}

function catalogue(): string {
  return ALL_ERROR_CODES.map((code) => `\`${code}\` (${ERROR_CODES[code].status}): ${ERROR_CODES[code].message}`).join('; ');
}

function ref(name: string): Json {
  return { $ref: `#/components/schemas/${name}` };
}

function body(schema: z.ZodType): Json {
  const jsonSchema = z.toJSONSchema(schema, { target: 'draft-2020-12', unrepresentable: 'any' });
  delete (jsonSchema as Json).$schema;
  return {
    required: true,
    content: { 'application/json': { schema: jsonSchema }, 'application/x-www-form-urlencoded': { schema: jsonSchema } },
  };
}

function ok(description: string, schema: Json): Json {
  return { description, headers: { 'X-Request-Id': { $ref: '#/components/headers/X-Request-Id' } }, content: { 'application/json': { schema } } };
}

/** Groups codes by status, with one example body per code, so a client author sees every answer a route gives. */
function errors(codes: ErrorCode[]): Json {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set([...codes, 'internal_error' as const])) {
    const status = ERROR_CODES[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return Object.fromEntries(
    [...byStatus].map(([status, group]) => [
      status,
      {
        description: group.join(', '),
        headers: { 'X-Request-Id': { $ref: '#/components/headers/X-Request-Id' } },
        content: {
          'application/json': {
            schema: ref('Error'),
            examples: Object.fromEntries(group.map((code) => [code, { value: { error: code, message: ERROR_CODES[code].message } }])),
          },
        },
      },
    ]),
  );
}

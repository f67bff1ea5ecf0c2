import { z } from 'zod';
import { ALL_ERROR_CODES, ERROR_CODES, type ErrorCode } from '../../errors/codes.js';
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

/** The OpenAPI 3.1 document served at /api/openapi.json: every endpoint and every error code of the contract. */
export function openApiDocument(): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'authgate',
      version: '1',
      description:
        'An auth gateway (BFF) in front of Keycloak. Every non-2xx answer is `{"error": <code>, "message": <text>}` ' +
        '(plus `details` for invalid_request field problems). Every response carries `X-Request-Id`. ' +
        'This version serves token mode (`AUTH_MODE=token`); session mode is not available yet.',
    },
    paths: {
      '/api/auth/login': {
        post: {
          summary: 'Log in with username and password (token mode: the tokens are returned)',
          requestBody: body(loginBody),
          responses: {
            200: ok('Logged in', {
              type: 'object',
              required: ['message', 'token', 'user'],
              properties: { message: { const: 'Login successful' }, token: ref('TokenSet'), user: ref('User') },
            }),
            ...errors(['credentials_required', 'invalid_scope', 'invalid_credentials', 'account_disabled', 'account_not_ready', 'rate_limited', ...BODY_FAILURES, ...IDP_FAILURES]),
          },
        },
      },
      '/api/auth/refresh-token': {
        post: {
          summary: 'Trade a refresh token for new tokens',
          requestBody: body(refreshBody),
          responses: {
            200: ok('Refreshed', {
              type: 'object',
              required: ['message', 'token'],
              properties: { message: { const: 'Token refreshed successfully' }, token: ref('TokenSet') },
            }),
            ...errors(['refresh_token_required', 'invalid_grant', 'invalid_scope', ...BODY_FAILURES, ...IDP_FAILURES]),
          },
        },
      },
      '/api/auth/logout': {
        post: {
          summary: "End the provider's session; the access token given as Bearer is refused from then on",
          security: [{}, { bearer: [] }],
          requestBody: body(logoutBody),
          responses: {
            200: ok('Logged out (also when the session had already ended)', {
              type: 'object',
              required: ['message'],
              properties: { message: { const: 'Logged out' } },
            }),
            ...errors(['refresh_token_required', 'invalid_grant', ...BODY_FAILURES, ...IDP_FAILURES]),
          },
        },
      },
      '/api/auth/me': {
        get: {
          summary: 'Who the bearer of the access token is (verified locally against the provider keys)',
          security: [{ bearer: [] }],
          responses: {
            200: ok('The user', { type: 'object', required: ['user'], properties: { user: ref('User') } }),
            ...errors(['unauthenticated', 'token_expired', 'token_revoked', 'idp_error', 'idp_unavailable', 'idp_timeout']),
          },
        },
      },
      '/healthz': {
        get: { summary: 'Liveness: 200 while the process lives', responses: { 200: ok('Alive', { type: 'object', properties: { status: { const: 'ok' } } }) } },
      },
      '/readyz': {
        get: {
          summary: 'Readiness: the provider answers discovery and its key set',
          responses: {
            200: ok('Ready', { type: 'object', properties: { status: { const: 'ready' }, checks: { type: 'object' } } }),
            ...errors(['idp_error', 'idp_unavailable', 'idp_timeout']),
          },
        },
      },
      '/api/openapi.json': { get: { summary: 'This document', responses: { 200: ok('OpenAPI 3.1', { type: 'object' }) } } },
      '/api/docs': { get: { summary: 'Swagger UI for this document', responses: { 200: { description: 'HTML page' } } } },
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      headers: { 'X-Request-Id': { schema: { type: 'string' }, description: 'the request id, also on every log line' } },
      schemas: {
        User: user,
        TokenSet: tokenSet,
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

import type { ErrorBody, FieldProblem } from '../../contract/errors.js';
import { ALL_ERROR_CODES } from '../../contract/errors.js';
import { HEADERS, CSRF_HEADER_VALUE } from '../../contract/http.js';
import { SUCCESS_MESSAGES } from '../../contract/messages.js';
import type { SessionLoginAnswer, SessionRefreshAnswer, SessionTimes } from '../../contract/session-mode.js';
import type { TokenLoginAnswer, TokenRefreshAnswer, TokenSet } from '../../contract/token-mode.js';
import type { User } from '../../contract/user.js';
import { catalogue, ref, type Json } from './parts.js';

// Each schema's properties are checked against the contract type it describes (`satisfies Record<keyof T, Json>`):
// a field added to or dropped from the contract fails the type check until the document says the same.

type Described<T> = Record<keyof T, Json>;

const user = {
  type: 'object',
  required: ['sub', 'username', 'email', 'name', 'roles'] satisfies (keyof User)[],
  properties: {
    sub: { type: 'string', description: 'the user id at the provider' },
    username: { type: 'string' },
    email: { type: ['string', 'null'] },
    name: { type: ['string', 'null'] },
    roles: { type: 'array', items: { type: 'string' }, description: "the user's realm roles" },
  } satisfies Described<User>,
};

const tokenSet = {
  type: 'object',
  required: ['access_token', 'expires_in', 'token_type'] satisfies (keyof TokenSet)[],
  properties: {
    access_token: { type: 'string' },
    refresh_token: {
      type: 'string',
      description: 'rotated on every refresh when the realm says so: always keep the newest',
    },
    id_token: { type: 'string' },
    expires_in: { type: 'integer', description: 'seconds until the access token expires' },
    refresh_expires_in: { type: 'integer', description: 'seconds until the refresh token expires' },
    token_type: { const: 'Bearer' },
    scope: { type: 'string' },
  } satisfies Described<TokenSet>,
};

const sessionTimes = {
  type: 'object',
  required: ['expires_at', 'access_expires_at'] satisfies (keyof SessionTimes)[],
  properties: {
    expires_at: {
      type: 'string',
      format: 'date-time',
      description: "when the session ends: the refresh token's end, capped by SESSION_MAX_AGE_SECONDS",
    },
    access_expires_at: {
      type: 'string',
      format: 'date-time',
      description: 'when the access token the gateway holds expires (it refreshes before then by itself)',
    },
  } satisfies Described<SessionTimes>,
};

const fieldProblem = {
  type: 'object',
  required: ['field', 'problem'] satisfies (keyof FieldProblem)[],
  properties: { field: { type: 'string' }, problem: { type: 'string' } } satisfies Described<FieldProblem>,
};

/** The document's `components`: the shared answer bodies, the error body, and how a caller proves who it is. */
export function components(): Json {
  return {
    securitySchemes: {
      bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'token mode' },
      sessionCookie: {
        type: 'apiKey',
        in: 'cookie',
        name: 'authgate.sid',
        description: 'session mode; `__Host-authgate.sid` when PUBLIC_URL is https',
      },
      csrf: {
        type: 'apiKey',
        in: 'header',
        name: HEADERS.csrf,
        description: `session mode: the value \`${CSRF_HEADER_VALUE}\`, on every POST, PUT, PATCH and DELETE`,
      },
    },
    headers: {
      [HEADERS.requestId]: { schema: { type: 'string' }, description: 'the request id, also on every log line' },
    },
    schemas: {
      User: user,
      TokenSet: tokenSet,
      SessionTimes: sessionTimes,
      TokenModeLogin: {
        title: 'token mode',
        type: 'object',
        required: ['message', 'token', 'user'] satisfies (keyof TokenLoginAnswer)[],
        properties: {
          message: { const: SUCCESS_MESSAGES.login },
          token: ref('TokenSet'),
          user: ref('User'),
        } satisfies Described<TokenLoginAnswer>,
      },
      SessionModeLogin: {
        title: 'session mode',
        type: 'object',
        required: ['message', 'user', 'session'] satisfies (keyof SessionLoginAnswer)[],
        properties: {
          message: { const: SUCCESS_MESSAGES.login },
          user: ref('User'),
          session: ref('SessionTimes'),
        } satisfies Described<SessionLoginAnswer>,
      },
      TokenModeRefresh: {
        title: 'token mode',
        type: 'object',
        required: ['message', 'token'] satisfies (keyof TokenRefreshAnswer)[],
        properties: {
          message: { const: SUCCESS_MESSAGES.refresh },
          token: ref('TokenSet'),
        } satisfies Described<TokenRefreshAnswer>,
      },
      SessionModeRefresh: {
        title: 'session mode',
        type: 'object',
        required: ['message', 'session'] satisfies (keyof SessionRefreshAnswer)[],
        properties: {
          message: { const: SUCCESS_MESSAGES.refresh },
          session: ref('SessionTimes'),
        } satisfies Described<SessionRefreshAnswer>,
      },
      Error: {
        type: 'object',
        required: ['error', 'message'] satisfies (keyof ErrorBody)[],
        properties: {
          error: { type: 'string', enum: ALL_ERROR_CODES, description: catalogue() },
          message: { type: 'string', description: 'for humans; may change, branch on `error`' },
          details: {
            type: 'array',
            description: 'invalid_request, user_exists, weak_password: which fields are wrong, taken or refused',
            items: fieldProblem,
          },
        } satisfies Described<ErrorBody>,
      },
    },
  };
}

import type { LogoutAnswer, MeAnswer } from '../../contract/answers.js';
import { AUTH_PATHS, HEADERS } from '../../contract/http.js';
import { SUCCESS_MESSAGES } from '../../contract/messages.js';
import { loginBody, logoutBody, refreshBody } from '../validation.js';
import { body, BODY_FAILURES, errors, IDP_FAILURES, ok, ref, type Json } from './parts.js';

/** The document's `paths`: every route the gateway serves, with every answer it can give. */
export function paths(): Json {
  return {
    [AUTH_PATHS.login]: {
      post: {
        summary: 'Log in with username and password',
        description: `Token mode: the tokens are returned. Session mode: a session cookie is set (a new session id every time) and no token is returned; needs \`${HEADERS.csrf}: 1\`.`,
        security: [{}, { csrf: [] }],
        requestBody: body(loginBody),
        responses: {
          200: ok('Logged in', { oneOf: [ref('TokenModeLogin'), ref('SessionModeLogin')] }),
          ...errors([
            'credentials_required',
            'invalid_scope',
            'invalid_credentials',
            'account_disabled',
            'account_not_ready',
            'mfa_required',
            'password_login_unavailable',
            'csrf_rejected',
            'rate_limited',
            'session_store_unavailable',
            ...BODY_FAILURES,
            ...IDP_FAILURES,
          ]),
        },
      },
      get: {
        summary:
          "Session mode: start a login at the provider's page (authorization code flow with PKCE S256, state and nonce)",
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
          302: {
            description:
              "to the provider's authorization endpoint; sets the short-lived `authgate.login` cookie (SameSite=Lax)",
          },
          ...errors(['invalid_request', 'session_store_unavailable', ...IDP_FAILURES]),
        },
      },
    },
    [AUTH_PATHS.callback]: {
      get: {
        summary: 'Session mode: where the provider sends the browser back; creates the session',
        parameters: ['code', 'state', 'iss', 'error'].map((name) => ({
          name,
          in: 'query',
          required: false,
          schema: { type: 'string' },
        })),
        responses: {
          302: { description: 'to `return_to`, with the session cookie set' },
          ...errors(['invalid_request', 'session_store_unavailable', ...IDP_FAILURES]),
        },
      },
    },
    [AUTH_PATHS.session]: {
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
                properties: {
                  authenticated: { const: true },
                  user: ref('User'),
                  expires_at: { type: 'string', format: 'date-time' },
                },
              },
            ],
          }),
          ...errors(['session_store_unavailable']),
        },
      },
    },
    [AUTH_PATHS.refresh]: {
      post: {
        summary: 'Refresh the tokens',
        description:
          'Token mode: trade the refresh token in the body for new tokens. Session mode: no body; the session is refreshed ' +
          `(one refresh grant however many requests ask at once, on every instance); needs \`${HEADERS.csrf}: 1\`. A refused refresh ` +
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
    [AUTH_PATHS.logout]: {
      post: {
        summary: "End the provider's session",
        description:
          'Token mode: the refresh token in the body says which session; once the provider has ended it, every access token ' +
          `of that session is refused (401 token_revoked), and an access token given as Bearer is refused too. Session mode: no body; the session is destroyed and its cookie cleared; needs \`${HEADERS.csrf}: 1\`. Both: 200 ` +
          "also when the provider's session had already ended.",
        security: [{}, { bearer: [] }, { sessionCookie: [], csrf: [] }],
        requestBody: { ...body(logoutBody), required: false },
        responses: {
          200: ok('Logged out (also when the session had already ended)', {
            type: 'object',
            required: ['message'],
            properties: { message: { const: SUCCESS_MESSAGES.logout } } satisfies Record<keyof LogoutAnswer, Json>,
          }),
          ...errors([
            'refresh_token_required',
            'invalid_grant',
            'csrf_rejected',
            'session_store_unavailable',
            ...BODY_FAILURES,
            ...IDP_FAILURES,
          ]),
        },
      },
    },
    [AUTH_PATHS.me]: {
      get: {
        summary: 'Who is logged in',
        description:
          'Token mode: the bearer of the access token, verified locally against the provider keys. Session mode: the ' +
          'user of the session; an access token close to expiry is refreshed first, and then the answer carries ' +
          `\`${HEADERS.sessionRefreshed}: 1\`.`,
        security: [{ bearer: [] }, { sessionCookie: [] }],
        responses: {
          200: ok('The user', {
            type: 'object',
            required: ['user'],
            properties: { user: ref('User') } satisfies Record<keyof MeAnswer, Json>,
          }),
          ...errors([
            'unauthenticated',
            'token_expired',
            'token_revoked',
            'session_expired',
            'session_store_unavailable',
            ...IDP_FAILURES,
          ]),
        },
      },
    },
    '/healthz': {
      get: {
        summary: 'Liveness: 200 while the process lives',
        responses: { 200: ok('Alive', { type: 'object', properties: { status: { const: 'ok' } } }) },
      },
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
    '/api/openapi.json': {
      get: { summary: 'This document', responses: { 200: ok('OpenAPI 3.1', { type: 'object' }) } },
    },
    '/api/docs': { get: { summary: 'Swagger UI for this document', responses: { 200: { description: 'HTML page' } } } },
  };
}

import { HEADERS } from '../../contract/http.js';
import {
  SERVICE_TOKEN_MESSAGES,
  SERVICE_TOKEN_PATHS,
  type ServiceTokenCreateAnswer,
  type ServiceTokenCurrentAnswer,
  type ServiceTokenExchangeAnswer,
  type ServiceTokenInfo,
  type ServiceTokenListAnswer,
  type ServiceTokenRevokeAnswer,
} from '../../contract/service-tokens.js';
import { createBody } from '../routes/service-tokens-input.js';
import { body, BODY_FAILURES, errors, IDP_FAILURES, ok, ref, type Json } from './parts.js';

type Described<T> = Record<keyof T, Json>;

const iso = (description: string): Json => ({ type: 'string', format: 'date-time', description });

/** Service tokens' answer bodies, for the document's components. */
export function serviceTokenSchemas(): Json {
  return {
    ServiceTokenInfo: {
      type: 'object',
      required: [
        'id',
        'name',
        'owner',
        'created_at',
        'expires_at',
        'days_left',
        'last_used_at',
      ] satisfies (keyof ServiceTokenInfo)[],
      properties: {
        id: { type: 'string', description: 'public: the `<id>` of `agst_<id>_<secret>`' },
        name: { type: 'string' },
        owner: { type: 'string', description: 'the username the token acts for' },
        created_at: iso('when it was created'),
        expires_at: { ...iso('when it expires'), type: ['string', 'null'], description: 'null: never' },
        days_left: { type: ['integer', 'null'], description: 'whole days left, rounded down; null: never expires' },
        last_used_at: { ...iso('the last exchange'), type: ['string', 'null'], description: 'null: never used' },
      } satisfies Described<ServiceTokenInfo>,
    },
  };
}

/** The service-token routes, in both modes. */
export function serviceTokenPaths(): Json {
  const bearerOrSession = [{ serviceToken: [] }, { bearer: [] }, { sessionCookie: [] }];
  return {
    [SERVICE_TOKEN_PATHS.tokens]: {
      post: {
        summary: 'Create a service token (shown once)',
        description:
          'The password is checked at the provider every time (a login with the offline_access scope, counted against the ' +
          "account's failed-login budget); its offline token is what the service token stands for. Exactly one of `days` " +
          '(1 to 3650) and `eternal: true`; a lifetime longer than the realm keeps offline sessions, or than ' +
          `SERVICE_TOKEN_MAX_DAYS, is 400 invalid_request naming the limit. Session mode: also the session and \`${HEADERS.csrf}: 1\`, ` +
          'and the session must be of the same account.',
        security: [{}, { sessionCookie: [], csrf: [] }],
        requestBody: body(createBody),
        responses: {
          201: ok('Created', {
            type: 'object',
            required: ['message', 'token', 'service_token'],
            properties: {
              message: { const: SERVICE_TOKEN_MESSAGES.created },
              token: { type: 'string', description: '`agst_<id>_<secret>`: keep it secret, it is never shown again' },
              service_token: ref('ServiceTokenInfo'),
            } satisfies Described<ServiceTokenCreateAnswer>,
          }),
          ...errors([
            'credentials_required',
            'invalid_scope',
            'invalid_credentials',
            'unauthenticated',
            'account_disabled',
            'account_not_ready',
            'forbidden',
            'csrf_rejected',
            'rate_limited',
            'session_store_unavailable',
            ...BODY_FAILURES,
            ...IDP_FAILURES,
          ]),
        },
      },
      get: {
        summary: "The caller's service tokens (never a secret)",
        security: bearerOrSession,
        responses: {
          200: ok('The tokens', {
            type: 'object',
            required: ['service_tokens'],
            properties: {
              service_tokens: { type: 'array', items: ref('ServiceTokenInfo') },
            } satisfies Described<ServiceTokenListAnswer>,
          }),
          ...errors([
            'unauthenticated',
            'token_expired',
            'token_revoked',
            'service_token_invalid',
            'service_token_expired',
            'session_store_unavailable',
            ...IDP_FAILURES,
          ]),
        },
      },
    },
    [SERVICE_TOKEN_PATHS.current]: {
      get: {
        summary: 'The presented service token',
        security: [{ serviceToken: [] }],
        responses: {
          200: ok('Its card', {
            type: 'object',
            required: ['service_token'],
            properties: { service_token: ref('ServiceTokenInfo') } satisfies Described<ServiceTokenCurrentAnswer>,
          }),
          ...errors(['service_token_invalid', 'service_token_expired', 'session_store_unavailable']),
        },
      },
    },
    [`${SERVICE_TOKEN_PATHS.tokens}/{id}`]: {
      delete: {
        summary: 'Revoke a service token: its offline session ends at the provider',
        description:
          `Session mode: with the session, \`${HEADERS.csrf}: 1\`. Another owner's token and an unknown id are both 403 ` +
          'forbidden. A provider that cannot end the offline session leaves the token as it was (502/503/504): retry.',
        security: bearerOrSession,
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          200: ok('Revoked', {
            type: 'object',
            required: ['message'],
            properties: {
              message: { const: SERVICE_TOKEN_MESSAGES.revoked },
            } satisfies Described<ServiceTokenRevokeAnswer>,
          }),
          ...errors([
            'unauthenticated',
            'token_expired',
            'token_revoked',
            'service_token_invalid',
            'service_token_expired',
            'forbidden',
            'csrf_rejected',
            'session_store_unavailable',
            ...IDP_FAILURES,
          ]),
        },
      },
    },
    [SERVICE_TOKEN_PATHS.exchange]: {
      post: {
        summary: 'Exchange a service token, or a client’s own credentials, for a short access token',
        description:
          '`Authorization: Bearer agst_...`: the provider access token of the account the token acts for, from the one the ' +
          'gateway holds while it has more than a minute (or half its lifetime) left, else refreshed once for all ' +
          'instances. `Authorization: Basic base64(client_id:secret)`: the client-credentials grant of that client. No ' +
          `\`${HEADERS.csrf}\` needed. A provider failure is 502/503/504, never a 401: keep the token.`,
        security: [{ serviceToken: [] }, { clientCredentials: [] }],
        responses: {
          200: ok('An access token', {
            type: 'object',
            required: ['access_token', 'expires_in', 'token_type'],
            properties: {
              access_token: { type: 'string' },
              expires_in: { type: 'integer', description: 'seconds until the access token expires' },
              token_type: { const: 'Bearer' },
            } satisfies Described<ServiceTokenExchangeAnswer>,
          }),
          ...errors(['service_token_invalid', 'service_token_expired', 'session_store_unavailable', ...IDP_FAILURES]),
        },
      },
    },
  };
}

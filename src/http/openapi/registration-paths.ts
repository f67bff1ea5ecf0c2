import { AUTH_PATHS, HEADERS } from '../../contract/http.js';
import { SUCCESS_MESSAGES } from '../../contract/messages.js';
import type {
  RegisteredAnswer,
  RegistrationLogin,
  SessionRegisterAnswer,
  TokenRegisterAnswer,
} from '../../contract/registration.js';
import { registerBody } from '../validation.js';
import { body, BODY_FAILURES, errors, IDP_FAILURES, ok, ref, type Json } from './parts.js';

type Described<T> = Record<keyof T, Json>;

const NOT_LOGGED_IN: RegistrationLogin[] = ['account_not_ready', 'disabled', 'failed'];

/** The registration answers, each checked against its contract type. */
export function registrationSchemas(): Json {
  return {
    Registered: {
      title: 'registered, not logged in',
      type: 'object',
      required: ['message', 'user', 'login'] satisfies (keyof RegisteredAnswer)[],
      properties: {
        message: { const: SUCCESS_MESSAGES.register },
        user: ref('User'),
        login: {
          enum: NOT_LOGGED_IN,
          description:
            '`account_not_ready`: the realm wants a required action first (verify the email, complete the profile); `disabled`: REGISTRATION_AUTO_LOGIN is off; `failed`: the login after the registration failed (provider or session store), log in as usual. `user.roles` is empty: roles come with the first login',
        },
      } satisfies Described<RegisteredAnswer>,
    },
    TokenModeRegister: {
      title: 'token mode, logged in',
      type: 'object',
      required: ['message', 'user', 'token'] satisfies (keyof TokenRegisterAnswer)[],
      properties: {
        message: { const: SUCCESS_MESSAGES.register },
        user: ref('User'),
        token: ref('TokenSet'),
      } satisfies Described<TokenRegisterAnswer>,
    },
    SessionModeRegister: {
      title: 'session mode, logged in',
      type: 'object',
      required: ['message', 'user', 'session'] satisfies (keyof SessionRegisterAnswer)[],
      properties: {
        message: { const: SUCCESS_MESSAGES.register },
        user: ref('User'),
        session: ref('SessionTimes'),
      } satisfies Described<SessionRegisterAnswer>,
    },
  };
}

export function registrationPaths(): Json {
  return {
    [AUTH_PATHS.register]: {
      post: {
        summary: "Create an account in the realm (Keycloak's Admin API), then log it in",
        description: `Open when REGISTRATION_ENABLED is on. Trims every field; the username and the email are sent in lower case. \`full_name\` is split at its last space into first and last name. With REGISTRATION_AUTO_LOGIN on, the new user is logged in as by POST login (session mode: the session cookie; token mode: the tokens) unless the realm wants a required action first. Session mode needs \`${HEADERS.csrf}: 1\`. Limited per client address (REGISTRATIONS_PER_IP an hour); a refused registration never counts against the login limits.`,
        security: [{}, { csrf: [] }],
        requestBody: body(registerBody),
        responses: {
          201: ok('Registered', {
            oneOf: [ref('TokenModeRegister'), ref('SessionModeRegister'), ref('Registered')],
          }),
          ...errors([
            'weak_password',
            'user_exists',
            'registration_disabled',
            'csrf_rejected',
            'rate_limited',
            'session_store_unavailable',
            ...BODY_FAILURES,
            ...IDP_FAILURES,
          ]),
        },
      },
    },
  };
}

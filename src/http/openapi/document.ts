import { HEADERS } from '../../contract/http.js';
import { components } from './schemas.js';
import { paths } from './paths.js';
import { registrationPaths, registrationSchemas } from './registration-paths.js';
import { serviceTokenPaths, serviceTokenSchemas } from './service-token-paths.js';
import type { Json } from './parts.js';

/**
 * The OpenAPI 3.1 document served at /api/openapi.json: every endpoint and every error code of the contract. The
 * codes, statuses, messages, paths and headers come from src/contract; the request bodies from the routes' own
 * validation schemas.
 */
export function openApiDocument(): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'authgate',
      version: '1',
      description:
        'An auth gateway (BFF) in front of Keycloak. Every non-2xx answer is `{"error": <code>, "message": <text>}` ' +
        `(plus \`details\` for field problems). Every response carries \`${HEADERS.requestId}\`.\n\n` +
        'Two delivery modes, chosen by `AUTH_MODE`. **Session mode** (the default): the tokens stay in the gateway, the ' +
        `browser holds an HttpOnly session cookie, every POST/PUT/PATCH/DELETE needs \`${HEADERS.csrf}: 1\` (403 csrf_rejected ` +
        'otherwise) and the gateway refreshes by itself. **Token mode**: the tokens are returned in JSON. Where an ' +
        'operation differs by mode, its description and its `oneOf` answers say which is which.',
    },
    paths: { ...paths(), ...registrationPaths(), ...serviceTokenPaths() },
    components: withServiceTokens(components()),
  };
}

function withServiceTokens(base: Json): Json {
  const { securitySchemes, schemas, ...rest } = base as { securitySchemes: Json; schemas: Json };
  return {
    ...rest,
    securitySchemes: {
      ...securitySchemes,
      serviceToken: {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'agst_<id>_<secret>',
        description: 'a service token',
      },
      clientCredentials: { type: 'http', scheme: 'basic', description: 'a provider client id and secret' },
    },
    schemas: { ...schemas, ...registrationSchemas(), ...serviceTokenSchemas() },
  };
}

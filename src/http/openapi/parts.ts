import { z } from 'zod';
import { ALL_ERROR_CODES, ERROR_CODES, type ErrorCode } from '../../contract/errors.js';
import { HEADERS } from '../../contract/http.js';

// The building blocks the paths and schemas are written with, so each answer is described the same way.

export type Json = Record<string, unknown>;

export const IDP_FAILURES: ErrorCode[] = ['unauthorized_client', 'idp_error', 'idp_unavailable', 'idp_timeout'];
export const BODY_FAILURES: ErrorCode[] = ['invalid_request', 'payload_too_large', 'unsupported_media_type'];

const requestIdHeader = (): Json => ({ [HEADERS.requestId]: { $ref: `#/components/headers/${HEADERS.requestId}` } });

export function ref(name: string): Json {
  return { $ref: `#/components/schemas/${name}` };
}

/** A request body, from the zod schema the route checks it with, in both accepted encodings. */
export function body(schema: z.ZodType): Json {
  const jsonSchema = z.toJSONSchema(schema, { target: 'draft-2020-12', unrepresentable: 'any' });
  delete (jsonSchema as Json).$schema;
  return {
    required: true,
    content: {
      'application/json': { schema: jsonSchema },
      'application/x-www-form-urlencoded': { schema: jsonSchema },
    },
  };
}

export function ok(description: string, schema: Json): Json {
  return { description, headers: requestIdHeader(), content: { 'application/json': { schema } } };
}

/** Groups codes by status, with one example body per code, so a client author sees every answer a route gives. */
export function errors(codes: ErrorCode[]): Json {
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
        headers: requestIdHeader(),
        content: {
          'application/json': {
            schema: ref('Error'),
            examples: Object.fromEntries(
              group.map((code) => [code, { value: { error: code, message: ERROR_CODES[code].message } }]),
            ),
          },
        },
      },
    ]),
  );
}

/** Every code with its status and message, for the Error schema's description. */
export function catalogue(): string {
  return ALL_ERROR_CODES.map((code) => `\`${code}\` (${ERROR_CODES[code].status}): ${ERROR_CODES[code].message}`).join(
    '; ',
  );
}

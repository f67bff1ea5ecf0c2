import { z } from 'zod';
import { ApiError } from '../errors/api-error.js';
import type { ErrorCode } from '../contract/errors.js';

// C0 and C1 controls and DEL: never part of a real user name, and a classic way to forge log lines.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

const username = z
  .string({ error: 'must be a string' })
  .max(255, 'must be at most 255 characters')
  .refine((v) => !CONTROL_CHARACTERS.test(v), 'must not contain control characters');
const password = z.string({ error: 'must be a string' }).max(1024, 'must be at most 1024 characters');
const scope = z
  .string({ error: 'must be a string' })
  .max(1000, 'must be at most 1000 characters')
  .regex(/^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/, 'must be space-separated scope names');
const refreshToken = z
  .string({ error: 'must be a string' })
  .max(16_384, 'must be at most 16384 characters')
  .refine((v) => !CONTROL_CHARACTERS.test(v), 'must not contain control characters');

export const loginBody = z.object({ username, password, scope: scope.optional() });
export const refreshBody = z.object({ refresh_token: refreshToken });
export const logoutBody = refreshBody;

export type LoginBody = z.infer<typeof loginBody>;

/**
 * Parses a request body against a schema. A missing or empty required field answers with `missingCode` (the
 * contract's credentials_required / refresh_token_required); anything else malformed is invalid_request with
 * the field problems listed.
 */
export function parseBody<S extends z.ZodObject>(
  schema: S,
  body: unknown,
  required: readonly string[],
  missingCode: ErrorCode,
): z.output<S> {
  if (body === undefined) body = {};
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ApiError('invalid_request', { message: 'The body must be a JSON object or a form' });
  }
  const fields = body as Record<string, unknown>;
  if (required.some((name) => fields[name] === undefined || fields[name] === null || fields[name] === '')) {
    throw new ApiError(missingCode);
  }
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw new ApiError('invalid_request', {
    message: 'Some fields are invalid',
    details: parsed.error.issues.map((issue) => ({ field: issue.path.join('.') || '(body)', problem: issue.message })),
  });
}

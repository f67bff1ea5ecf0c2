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

// Registration checks the value it will send, as the realm will store it: trimmed, and the username and the email in
// lower case (Keycloak lower-cases both). The password is sent exactly as typed.
const required = (what: string) => ({
  error: (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : `must be ${what}`),
});
const personName = z
  .string(required('a string'))
  .trim()
  .min(1, 'must not be empty')
  .max(255, 'must be at most 255 characters')
  .refine((v) => !CONTROL_CHARACTERS.test(v), 'must not contain control characters');
export const registerBody = z
  .object({
    username: z
      .string(required('a string'))
      .trim()
      .toLowerCase()
      .min(3, 'must be at least 3 characters')
      .max(255, 'must be at most 255 characters')
      .regex(/^[\p{L}\p{N}._@+-]+$/u, 'may contain only letters, digits and . _ - @ +'),
    email: z
      .string(required('a string'))
      .trim()
      .toLowerCase()
      .max(254, 'must be at most 254 characters')
      .pipe(z.email('must be a valid email address')),
    password: z.string(required('a string')).min(1, 'is required').max(1024, 'must be at most 1024 characters'),
    first_name: personName.optional(),
    last_name: personName.optional(),
    full_name: personName.optional(),
  })
  .refine((body) => !(body.full_name !== undefined && (body.first_name ?? body.last_name) !== undefined), {
    message: 'give either full_name or first_name and last_name, not both',
    path: ['full_name'],
  });
export const refreshBody = z.object({ refresh_token: refreshToken });
export const logoutBody = refreshBody;

export type LoginBody = z.infer<typeof loginBody>;
export type RegisterBody = z.infer<typeof registerBody>;

/**
 * Parses a request body against a schema. A missing or empty required field answers with `missingCode` (the
 * contract's credentials_required / refresh_token_required); anything else malformed is invalid_request with
 * the field problems listed.
 */
export function parseBody<S extends z.ZodType<object>>(
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

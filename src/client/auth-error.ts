import type { ErrorCode, FieldProblem } from '../contract/errors.js';
import { HEADERS } from '../contract/http.js';

/** Every code the gateway answers with, plus `network_error` when no answer arrived at all (offline, DNS, CORS). */
export type AuthErrorCode = ErrorCode | 'network_error';

/**
 * The one error the client raises. Branch on `code` (stable, from the gateway's contract); `message` is for humans;
 * `requestId` is the gateway's `X-Request-Id`, the key to its log lines.
 */
export class AuthError extends Error {
  readonly code: AuthErrorCode;
  /** The HTTP status, 0 when no answer arrived. */
  readonly status: number;
  readonly requestId: string | undefined;
  /** `invalid_request`, `user_exists`, `weak_password`: which fields are wrong, taken or refused. */
  readonly details: FieldProblem[] | undefined;

  constructor(
    code: AuthErrorCode,
    message: string,
    options: { status?: number; requestId?: string; details?: FieldProblem[]; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AuthError';
    this.code = code;
    this.status = options.status ?? 0;
    this.requestId = options.requestId;
    this.details = options.details;
  }
}

// axios hands over the response headers lower-cased.
const REQUEST_ID = HEADERS.requestId.toLowerCase();

interface ResponseLike {
  status: number;
  data?: unknown;
  headers?: Record<string, unknown> | { get?: (name: string) => unknown };
}

/** Reads the gateway's `{error, message}` body off a failed response; anything else becomes a generic code. */
export function toAuthError(response: ResponseLike | undefined, cause: unknown): AuthError {
  if (!response) return new AuthError('network_error', 'The gateway could not be reached', { cause });
  const body = (typeof response.data === 'object' && response.data !== null ? response.data : {}) as {
    error?: unknown;
    message?: unknown;
    details?: unknown;
  };
  const headers = response.headers as Record<string, unknown> | undefined;
  const requestId = typeof headers?.[REQUEST_ID] === 'string' ? headers[REQUEST_ID] : undefined;
  const code =
    typeof body.error === 'string'
      ? (body.error as ErrorCode)
      : response.status >= 500
        ? 'internal_error'
        : 'invalid_request';
  const message = typeof body.message === 'string' ? body.message : `The gateway answered ${response.status}`;
  const details = Array.isArray(body.details) ? (body.details as FieldProblem[]) : undefined;
  return new AuthError(code, message, {
    status: response.status,
    cause,
    ...(requestId ? { requestId } : {}),
    ...(details ? { details } : {}),
  });
}

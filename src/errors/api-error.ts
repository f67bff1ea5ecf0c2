import { ERROR_CODES, type ErrorBody, type ErrorCode, type FieldProblem } from '../contract/errors.js';

export interface ApiErrorOptions {
  message?: string;
  details?: FieldProblem[];
  /** The original failure: logged with the request id, never sent to the client. */
  cause?: unknown;
  /** Extra response headers, e.g. Retry-After. */
  headers?: Record<string, string>;
  /** Fields for the log line only (what the provider said, a security event name). */
  logFields?: Record<string, unknown>;
}

/** A failure that already speaks the contract. Anything else that reaches the error middleware is internal_error. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: FieldProblem[] | undefined;
  readonly headers: Record<string, string>;
  readonly logFields: Record<string, unknown>;

  constructor(code: ErrorCode, options: ApiErrorOptions = {}) {
    super(
      options.message ?? ERROR_CODES[code].message,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'ApiError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.details = options.details;
    this.headers = options.headers ?? {};
    this.logFields = options.logFields ?? {};
  }

  toBody(): ErrorBody {
    return this.details
      ? { error: this.code, message: this.message, details: this.details }
      : { error: this.code, message: this.message };
  }
}

export function isApiError(value: unknown): value is ApiError {
  return value instanceof ApiError;
}

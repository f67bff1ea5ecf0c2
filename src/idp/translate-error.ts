import { ApiError } from '../errors/api-error.js';
import { ERROR_CODES, type ErrorCode } from '../contract/errors.js';
import { DIALECTS, type Dialect, type ErrorRule, type ProviderOperation } from './dialects.js';
import type { Failure, Refused } from './identity-provider.js';

export type { ProviderOperation };

/** What is kept of the provider's failure for the log line: never a token, never a raw body. */
export interface ProviderFailure {
  operation: ProviderOperation;
  status?: number;
  error?: string;
  errorDescription?: string;
  libraryCode?: string;
  name?: string;
}

export const CALLBACK_REFUSED = 'The login could not be completed; start it again';

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const TIMEOUT_CODES = new Set(['OAUTH_TIMEOUT', 'ERR_JWKS_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * The one place where a provider failure becomes a contract error. The dialect's rules come first (a provider's
 * `error`, refined by its description where the code alone is ambiguous), then the standard OAuth mapping; any status
 * below 500 with an OAuth error counts alike (Keycloak 26.6 moved the password grant's invalid_grant from 401 to 400,
 * Auth0 answers 403). The original stays attached as `cause` for the log.
 */
export function providerFailure(
  err: unknown,
  operation: ProviderOperation,
  dialect: Dialect = DIALECTS.keycloak,
): Failure {
  if (err instanceof ApiError) return failureOf(err);
  const failure = describe(err, operation);
  const rule = ruleFor(failure, dialect);
  const code = codeFor(failure, err, rule);
  const logFields: Record<string, unknown> = { provider: loggable(failure, dialect) };
  if (rule?.event && code === rule.code) logFields.securityEvent = rule.event;
  const retryAfter = code === 'idp_unavailable' ? { 'Retry-After': '5' } : undefined;
  const message = code === 'invalid_request' && operation === 'callback' ? CALLBACK_REFUSED : undefined;
  return {
    code,
    cause: err,
    logFields,
    ...(retryAfter ? { headers: retryAfter } : {}),
    ...(message ? { message } : {}),
  };
}

/** The same failure as the exception the error middleware answers: for what no caller decides about. */
export function translateProviderError(err: unknown, operation: ProviderOperation, dialect?: Dialect): ApiError {
  if (err instanceof ApiError) return err;
  const failure = providerFailure(err, operation, dialect);
  return new ApiError(failure.code, failure);
}

/**
 * What a provider call that failed gives its caller (see IdentityProvider): a refusal of what it was given (the
 * contract's 4xx) as a value; anything else, the provider's or the network's fault, thrown.
 */
export function refusedOrThrown(err: unknown, operation: ProviderOperation, dialect?: Dialect): Refused {
  const failure = providerFailure(err, operation, dialect);
  if (ERROR_CODES[failure.code].status < 500) return { ok: false, error: failure };
  throw err instanceof ApiError ? err : new ApiError(failure.code, failure);
}

function loggable(failure: ProviderFailure, dialect: Dialect): ProviderFailure {
  const { errorDescription } = failure;
  if (!dialect.loggedDescription || errorDescription === undefined) return failure;
  const kept = dialect.loggedDescription.exec(errorDescription)?.[0];
  const { errorDescription: _dropped, ...rest } = failure;
  return kept === undefined ? rest : { ...rest, errorDescription: kept };
}

function failureOf(err: ApiError): Failure {
  return { code: err.code, message: err.message, headers: err.headers, logFields: err.logFields, cause: err.cause };
}

/** The dialect's rule for an OAuth error answer (any status: Auth0 answers one configuration fault with a 500). */
function ruleFor(f: ProviderFailure, dialect: Dialect): ErrorRule | undefined {
  if (f.error === undefined || f.status === undefined) return undefined;
  return dialect.errors.find(
    (rule) =>
      (rule.error === undefined || rule.error === f.error) &&
      (rule.operations === undefined || rule.operations.includes(f.operation)) &&
      (rule.description === undefined ||
        (typeof rule.description === 'string'
          ? rule.description === f.errorDescription
          : rule.description.test(f.errorDescription ?? ''))),
  );
}

function codeFor(f: ProviderFailure, err: unknown, rule: ErrorRule | undefined): ErrorCode {
  if (isTimeout(err)) return 'idp_timeout';
  if (isUnreachable(err)) return 'idp_unavailable';
  if (rule)
    return rule.code === 'unauthorized_client' && f.operation === 'client_credentials'
      ? 'service_token_invalid'
      : rule.code;
  if (f.error !== undefined && f.status !== undefined && f.status < 500) return codeForOAuthError(f);
  return 'idp_error';
}

/** The standard OAuth codes (RFC 6749 section 5.2), as every provider's answers read without a dialect's rule. */
function codeForOAuthError(f: ProviderFailure): ErrorCode {
  switch (f.error) {
    case 'invalid_grant':
      if (f.operation === 'login') return 'invalid_credentials';
      if (f.operation === 'refresh' || f.operation === 'logout') return 'invalid_grant';
      // A code that is expired, already redeemed or not ours: the browser must start the login again.
      return f.operation === 'callback' ? 'invalid_request' : 'idp_error';
    case 'invalid_scope':
      return f.operation === 'login' || f.operation === 'refresh' ? 'invalid_scope' : 'idp_error';
    case 'unauthorized_client':
    case 'invalid_client':
      // The caller's client, not the gateway's: unknown, wrong secret, or without a service account.
      return f.operation === 'client_credentials' ? 'service_token_invalid' : 'unauthorized_client';
    default:
      // Unknown codes, "Realm does not exist" (404), "Realm not enabled" (403), invalid_request the gateway
      // should have prevented: none of them is the client's fault.
      return 'idp_error';
  }
}

function describe(err: unknown, operation: ProviderOperation): ProviderFailure {
  const failure: ProviderFailure = { operation };
  if (!err || typeof err !== 'object') return failure;
  const e = err as Record<string, unknown>;
  if (typeof e.name === 'string') failure.name = e.name;
  if (typeof e.code === 'string') failure.libraryCode = e.code;
  if (typeof e.status === 'number') failure.status = e.status;
  if (typeof e.error === 'string') failure.error = e.error;
  if (typeof e.error_description === 'string') failure.errorDescription = e.error_description;
  // openid-client keeps the HTTP response as `cause` when the body was not an OAuth error.
  const response = e.cause as { status?: unknown; headers?: unknown } | undefined;
  if (failure.status === undefined && typeof response?.status === 'number' && typeof response.headers === 'object')
    failure.status = response.status;
  return failure;
}

function causes(err: unknown): Record<string, unknown>[] {
  const chain: Record<string, unknown>[] = [];
  let current: unknown = err;
  while (current && typeof current === 'object' && chain.length < 6) {
    chain.push(current as Record<string, unknown>);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

function isTimeout(err: unknown): boolean {
  return causes(err).some(
    (e) => e.name === 'TimeoutError' || (typeof e.code === 'string' && TIMEOUT_CODES.has(e.code)),
  );
}

function isUnreachable(err: unknown): boolean {
  return causes(err).some(
    (e) =>
      (typeof e.code === 'string' && UNREACHABLE_CODES.has(e.code)) ||
      (e.name === 'TypeError' && e.message === 'fetch failed'),
  );
}

import { ApiError } from '../errors/api-error.js';
import { ERROR_CODES, type ErrorCode } from '../contract/errors.js';
import type { Failure, Refused } from './identity-provider.js';

/**
 * What the gateway was doing when the provider failed; the same provider answer means different things.
 * `issued_token`: checking an access token the token endpoint has just issued, which did not verify.
 */
export type ProviderOperation =
  | 'discovery'
  | 'jwks'
  | 'login'
  | 'refresh'
  | 'logout'
  | 'callback'
  | 'issued_token'
  /** A machine caller's own client credentials, passed through to the provider (service-token exchange). */
  | 'client_credentials'
  /** The gateway's own writes to the Admin API's users (registration). */
  | 'admin_users';

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

// Keycloak's texts for a refresh token that was presented again after rotation: possible token theft.
const REUSE_TEXTS = ['Maximum allowed refresh token reuse exceeded', 'Stale token'];
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
 * The one place where a provider failure becomes a contract error. Maps on the OAuth `error` first, refines with
 * `error_description` only for Keycloak's known login texts, and treats 400 and 401 alike (Keycloak 26.6 moved the
 * password grant's invalid_grant from 401 to 400). The original stays attached as `cause` for the log.
 */
export function providerFailure(err: unknown, operation: ProviderOperation): Failure {
  if (err instanceof ApiError) return failureOf(err);
  const failure = describe(err, operation);
  const code = codeFor(failure, err);
  const logFields: Record<string, unknown> = { provider: failure };
  if (
    operation === 'refresh' &&
    failure.error === 'invalid_grant' &&
    REUSE_TEXTS.includes(failure.errorDescription ?? '')
  ) {
    logFields.securityEvent = 'auth.refresh.reuse_detected';
  }
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
export function translateProviderError(err: unknown, operation: ProviderOperation): ApiError {
  if (err instanceof ApiError) return err;
  const failure = providerFailure(err, operation);
  return new ApiError(failure.code, failure);
}

/**
 * What a provider call that failed gives its caller (see IdentityProvider): a refusal of what it was given (the
 * contract's 4xx) as a value; anything else, the provider's or the network's fault, thrown.
 */
export function refusedOrThrown(err: unknown, operation: ProviderOperation): Refused {
  const failure = providerFailure(err, operation);
  if (ERROR_CODES[failure.code].status < 500) return { ok: false, error: failure };
  throw err instanceof ApiError ? err : new ApiError(failure.code, failure);
}

function failureOf(err: ApiError): Failure {
  return { code: err.code, message: err.message, headers: err.headers, logFields: err.logFields, cause: err.cause };
}

function codeFor(f: ProviderFailure, err: unknown): ErrorCode {
  if (isTimeout(err)) return 'idp_timeout';
  if (isUnreachable(err)) return 'idp_unavailable';
  if (f.error !== undefined && f.status !== undefined && f.status < 500) return codeForOAuthError(f);
  return 'idp_error';
}

function codeForOAuthError(f: ProviderFailure): ErrorCode {
  switch (f.error) {
    case 'invalid_grant':
      if (f.operation === 'login') {
        if (f.errorDescription === 'Account disabled') return 'account_disabled';
        if (f.errorDescription === 'Account is not fully set up') return 'account_not_ready';
        return 'invalid_credentials';
      }
      if (f.operation === 'refresh' || f.operation === 'logout') return 'invalid_grant';
      // A code that is expired, already redeemed or not ours: the browser must start the login again.
      return f.operation === 'callback' ? 'invalid_request' : 'idp_error';
    case 'invalid_scope':
    case 'not_allowed': // Keycloak: "Offline tokens not allowed for the user or client"
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

/**
 * The contract's error codes: the only values a client ever sees in `error`. The client SDK branches on these,
 * so a code is never renamed or reused for another meaning.
 */
export const ERROR_CODES = {
  invalid_request: { status: 400, message: 'The request is malformed' },
  credentials_required: { status: 400, message: 'Username and password are required' },
  refresh_token_required: { status: 400, message: 'Refresh token is required' },
  invalid_grant: { status: 400, message: 'Invalid refresh token' },
  invalid_scope: { status: 400, message: 'The requested scope is not allowed' },
  weak_password: { status: 400, message: "The password does not meet the realm's password policy" },
  invalid_credentials: { status: 401, message: 'Invalid username or password' },
  unauthenticated: { status: 401, message: 'Authentication is required' },
  token_expired: { status: 401, message: 'The access token has expired' },
  token_revoked: { status: 401, message: 'The access token has been revoked' },
  session_expired: { status: 401, message: 'The session has expired; please log in again' },
  service_token_invalid: { status: 401, message: 'The service token is not valid' },
  service_token_expired: { status: 401, message: 'The service token has expired; create a new one' },
  account_disabled: { status: 403, message: 'The account is disabled' },
  account_not_ready: {
    status: 403,
    message: 'The account is not fully set up; finish the required actions at the identity provider',
  },
  forbidden: { status: 403, message: 'The caller is not allowed to do this' },
  mfa_required: {
    status: 403,
    message: 'The identity provider requires a second factor: log in through the browser (GET /api/auth/login)',
  },
  password_login_unavailable: {
    status: 403,
    message: 'This gateway takes no passwords: log in through the browser (GET /api/auth/login)',
  },
  csrf_rejected: { status: 403, message: 'The request was rejected by the CSRF protection' },
  registration_disabled: { status: 403, message: 'Registration is not open on this gateway' },
  not_found: { status: 404, message: 'No such endpoint' },
  user_exists: { status: 409, message: 'An account with this username or email already exists' },
  payload_too_large: { status: 413, message: 'The request body is too large' },
  unsupported_media_type: {
    status: 415,
    message: 'Send the body as application/json or application/x-www-form-urlencoded',
  },
  rate_limited: { status: 429, message: 'Too many attempts; try again later' },
  internal_error: { status: 500, message: 'An unexpected error occurred' },
  unauthorized_client: {
    status: 502,
    message: 'The identity provider rejected the gateway client; this is a deployment fault',
  },
  idp_error: { status: 502, message: 'The identity provider answered with an error' },
  idp_unavailable: { status: 503, message: 'The identity provider cannot be reached' },
  session_store_unavailable: { status: 503, message: 'The session store cannot be reached' },
  idp_timeout: { status: 504, message: 'The identity provider did not answer in time' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export const ALL_ERROR_CODES = Object.keys(ERROR_CODES) as ErrorCode[];

/**
 * The body of every non-2xx answer. `details` carries field problems: invalid_request's, and user_exists's and
 * weak_password's (which field is taken or refused).
 */
export interface ErrorBody {
  error: ErrorCode;
  message: string;
  details?: FieldProblem[];
}

export interface FieldProblem {
  field: string;
  problem: string;
}

import type { FieldProblem } from '../contract/errors.js';
import { AccountLookupError } from './account-directory.js';
import type { Failure } from './identity-provider.js';
import { providerFailure } from './translate-error.js';

/*
 * The Admin API's half of the one translation point (translate-error.ts is the token endpoint's): what Keycloak
 * answers to a user write becomes a contract failure here and nowhere else. Keycloak's answers, by what it refuses:
 * - a name or email already taken: 409 {"errorMessage":"User exists with same username"} (or "... same email", or
 *   "... username or email" when the database's unique key caught a race), or the user profile's
 *   usernameExistsMessage / emailExistsMessage;
 * - the password policy: 400 {"error":"invalidPasswordMinLengthMessage","error_description":"Invalid password: minimum
 *   length 8."} (the message key, and its text formatted in the admin's locale); before 22, {"errorMessage":"Password
 *   policy not met"};
 * - the user profile: 400 {"field":"email","errorMessage":"invalidEmailMessage","params":[...]}, or such entries in
 *   {"errors":[...]} when there are several;
 * - the service account without manage-users: 403 {"error":"HTTP 403 Forbidden"}.
 * None of the provider's text goes to the log but its message keys and field names, which are Keycloak's constants.
 */

interface AdminError {
  field?: string;
  key: string;
  params: unknown[];
}

const FIELDS: Record<string, string> = { firstName: 'first_name', lastName: 'last_name' };

// The policy's message key, and what the person must change; {0} is the number in Keycloak's own text.
const PASSWORD_RULES: Record<string, string> = {
  invalidPasswordMinLengthMessage: 'must be at least {0} characters long',
  invalidPasswordMaxLengthMessage: 'must be at most {0} characters long',
  invalidPasswordMinDigitsMessage: 'must contain at least {0} digit(s)',
  invalidPasswordMinLowerCaseCharsMessage: 'must contain at least {0} lower-case letter(s)',
  invalidPasswordMinUpperCaseCharsMessage: 'must contain at least {0} upper-case letter(s)',
  invalidPasswordMinSpecialCharsMessage: 'must contain at least {0} special character(s)',
  invalidPasswordNotUsernameMessage: 'must not be the username',
  invalidPasswordNotContainsUsernameMessage: 'must not contain the username',
  invalidPasswordNotEmailMessage: 'must not be the email address',
  invalidPasswordHistoryMessage: 'must not be one of the last {0} passwords',
  invalidPasswordBlacklistedMessage: 'is too common: choose another one',
  invalidPasswordRegexPatternMessage: 'does not have the form the realm requires',
};

// The user profile's message keys, as a problem with the field.
const PROFILE_PROBLEMS: Record<string, string> = {
  invalidEmailMessage: 'must be a valid email address',
  'error-invalid-email': 'must be a valid email address',
  'error-invalid-length': 'has a length the realm does not accept',
  'error-invalid-length-too-short': 'is too short',
  'error-invalid-length-too-long': 'is too long',
  'error-username-invalid-character': 'contains characters the realm does not accept',
  'error-person-name-invalid-character': 'contains characters the realm does not accept',
  'error-invalid-value': 'has a value the realm does not accept',
  'error-user-attribute-required': 'is required',
  missingUsernameMessage: 'is required',
  missingEmailMessage: 'is required',
  'error-user-attribute-read-only': 'cannot be set at registration',
};

const TAKEN = 'is already taken';

/** A user write the Admin API refused (any status but the one of success). */
export function adminAnswerFailure(status: number, body: unknown, clientId: string): Failure {
  const errors = adminErrors(body);
  const keys = errors.map((e) => e.key);
  const logFields = { provider: { operation: 'admin_users', status, errors: keys.filter(isConstant) } };
  if (status === 409 || keys.some((k) => /ExistsMessage$/.test(k))) return userExists(errors, logFields);
  if (status === 400) {
    const policy = errors.find((e) => e.key.startsWith('invalidPassword') || /password policy/i.test(e.key));
    if (policy) return weakPassword(policy, body, logFields);
    return {
      code: 'invalid_request',
      message: 'Some fields are invalid',
      details:
        errors.length > 0 ? errors.map(profileProblem) : [{ field: '(body)', problem: 'was refused by the realm' }],
      logFields,
    };
  }
  if (status === 401 || status === 403) {
    const reason = `the Admin API refused to create a user (${status}): the service account of client ${clientId} needs the realm-management role manage-users`;
    return { code: 'unauthorized_client', logFields: { ...logFields, reason } };
  }
  return { code: 'idp_error', logFields };
}

/** A user write that got no answer, or no service-account token to make it with: never the user's fault. */
export function adminCallFailure(err: unknown): Failure {
  const inner = err instanceof AccountLookupError && err.cause !== undefined ? err.cause : err;
  const failure = providerFailure(inner, 'admin_users');
  const reason = err instanceof AccountLookupError ? err.reason : undefined;
  return { ...failure, cause: err, logFields: { ...failure.logFields, ...(reason ? { reason } : {}) } };
}

/** user_exists for the one field known to be taken. */
export function takenField(field: 'username' | 'email', logFields: Record<string, unknown> = {}): Failure {
  return {
    code: 'user_exists',
    message: `An account with this ${field} already exists`,
    details: [{ field, problem: TAKEN }],
    logFields,
  };
}

function userExists(errors: AdminError[], logFields: Record<string, unknown>): Failure {
  const text = errors.map((e) => `${e.field ?? ''} ${e.key}`).join(' ');
  const username = /username/i.test(text);
  const email = /email/i.test(text);
  if (username !== email) return takenField(username ? 'username' : 'email', logFields);
  // "same username or email": the database's unique key caught a race, and Keycloak does not say which (KeycloakUsers
  // asks); without a word of either, it is the username, which is always unique.
  if (!username) return takenField('username', logFields);
  return {
    code: 'user_exists',
    details: [
      { field: 'username', problem: `${TAKEN}, or the email is` },
      { field: 'email', problem: `${TAKEN}, or the username is` },
    ],
    logFields,
  };
}

function weakPassword(policy: AdminError, body: unknown, logFields: Record<string, unknown>): Failure {
  const rule = PASSWORD_RULES[policy.key];
  const said = typeof (body as { error_description?: unknown } | null)?.error_description === 'string';
  const description = said ? String((body as { error_description: string }).error_description) : '';
  // The number is in Keycloak's formatted text ("minimum length 8."), the only place its answer carries it.
  const number = /\d+/.exec(description)?.[0];
  const problem =
    rule && (!rule.includes('{0}') || number)
      ? rule.replace('{0}', number ?? '')
      : "does not meet the realm's password policy";
  return {
    code: 'weak_password',
    message: `The password ${problem}`,
    details: [{ field: 'password', problem }],
    logFields,
  };
}

function profileProblem(error: AdminError): FieldProblem {
  const field = error.field ? (FIELDS[error.field] ?? error.field) : '(body)';
  const known = PROFILE_PROBLEMS[error.key];
  const [, min, max] = error.params;
  if (error.key === 'error-invalid-length' && (typeof min === 'number' || typeof min === 'string'))
    return {
      field,
      problem:
        max !== undefined && max !== null
          ? `must be between ${String(min)} and ${String(max)} characters`
          : `must be at least ${String(min)} characters`,
    };
  return { field, problem: known ?? 'was refused by the realm' };
}

/** The entries of a Keycloak error answer, whichever of its shapes it came in. */
function adminErrors(body: unknown): AdminError[] {
  if (!body || typeof body !== 'object') return [];
  const b = body as Record<string, unknown>;
  if (Array.isArray(b.errors)) return b.errors.flatMap((entry) => adminErrors(entry));
  const key = typeof b.errorMessage === 'string' ? b.errorMessage : typeof b.error === 'string' ? b.error : undefined;
  if (key === undefined) return [];
  return [
    {
      key,
      params: Array.isArray(b.params) ? b.params : [],
      ...(typeof b.field === 'string' ? { field: b.field } : {}),
    },
  ];
}

/** A message key or an English sentence of Keycloak's own: logged; anything longer or odder is not. */
function isConstant(key: string): boolean {
  return /^[\w .-]{1,80}$/.test(key);
}

import type { RealmModel } from './realm-model.js';

/*
 * Keycloak's default user profile (declarative, always on in 26.x) as the Admin API applies it to a new user:
 * username 3-255 characters without prohibited ones, email well-formed and at most 255, first and last name at most
 * 255 without prohibited ones, username and email unique. Patterns from UsernameProhibitedCharactersValidator,
 * PersonNameProhibitedCharactersValidator and EmailValidationUtil (Keycloak 26.7.3).
 */

export interface ProfileInput {
  readonly username?: string | undefined;
  readonly email?: string | undefined;
  readonly firstName?: string | undefined;
  readonly lastName?: string | undefined;
}

/** The profile as stored: username and email in lower case, an empty email none. */
export interface Profile {
  readonly username: string;
  readonly email: string | undefined;
  readonly firstName: string | undefined;
  readonly lastName: string | undefined;
}

export interface FieldError {
  readonly field: string;
  readonly errorMessage: string;
  readonly params: readonly unknown[];
}

export type ProfileOutcome =
  | { readonly ok: true; readonly profile: Profile }
  | { readonly ok: false; readonly status: 400 | 409; readonly json: unknown };

// Java's \v, \h, \s and \p{Cntrl}, spelled out for JavaScript.
const VERTICAL = '\\n\\x0B\\f\\r\\x85\\u2028\\u2029';
const HORIZONTAL = ' \\t\\xA0\\u1680\\u180e\\u2000-\\u200a\\u202f\\u205f\\u3000';
const CONTROL = '\\x00-\\x1F\\x7F';
const USERNAME = new RegExp(`^[^<>&"'${VERTICAL}${HORIZONTAL}$%!#?§,;:*~/\\\\|^=\\[\\]{}()\`${CONTROL}]+$`);
const PERSON_NAME = new RegExp(`^[^<>&"${VERTICAL}$%!#?§;*~/\\\\|^=\\[\\]{}()${CONTROL}]+$`);

const ATOM = "[a-z0-9!#$%&'*+/=?^_`{|}~\\u0080-\\uffff-]";
const QUOTED = '"(?:[a-z0-9!#$%&\'*.(),<>\\[\\]:;  @+/=?^_`{|}~\\u0080-\\uffff-]|\\\\\\\\|\\\\")+"';
const LOCAL_PART = new RegExp(`^(?:${ATOM}+|${QUOTED})(?:\\.(?:${ATOM}+|${QUOTED}))*$`, 'i');
const LABEL = "(?:[a-z\\u0080-\\uffff0-9!#$%&'*+/=?^`{|}~]-*)*[a-z\\u0080-\\uffff0-9!#$%&'*+/=?^`{|}~]+";
const DOMAIN = new RegExp(
  `^(?:${LABEL}(?:\\.${LABEL})*|\\[[0-9]{1,3}(?:\\.[0-9]{1,3}){3}\\]|\\[IPv6:[0-9a-f:.]+\\])$`,
  'i',
);

/** EmailValidationUtil.isValidEmail: split at the last @, a local part of at most 64, a domain of at most 255. */
export function isValidEmail(value: string): boolean {
  const at = value.lastIndexOf('@');
  if (at <= 0) return false;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (local.length > 64 || domain.length === 0 || domain.length > 255) return false;
  return LOCAL_PART.test(local) && DOMAIN.test(domain);
}

/*
 * Keycloak gathers the errors in a HashMap keyed by message (ValidationException), so they come out in that map's
 * order, not the attributes': these ranks are the keys' HashMap buckets (ties in the order the attributes are checked:
 * username, email, lastName, firstName). UserResource.validateUserProfile answers the first "missing" or "exists"
 * error on its own; any other errors are listed together.
 */
const RANK: Record<string, number> = {
  'error-invalid-length': 4,
  'error-invalid-length-too-long': 6,
  'error-invalid-email': 10,
  emailExistsMessage: 11,
  'error-username-invalid-character': 12,
  'error-person-name-invalid-character': 12,
  usernameExistsMessage: 13,
  'error-user-attribute-required': 14,
};

const blank = (value: string | undefined) => value === undefined || value.trim() === '';

export function validateProfile(realm: RealmModel, input: ProfileInput): ProfileOutcome {
  const settings = realm.settings;
  const email = input.email === undefined || input.email === '' ? undefined : input.email.toLowerCase();
  const errors: FieldError[] = [];
  const add = (field: string, errorMessage: string, ...params: unknown[]) =>
    errors.push({ field, errorMessage, params });

  let username = input.username;
  if (settings.registrationEmailAsUsername) {
    if (email === undefined) add('email', 'error-user-attribute-required', 'email');
    username = email;
  } else if (blank(username)) {
    return { ok: false, status: 400, json: { errorMessage: 'User name is missing' } };
  }
  const name = (username ?? '').toLowerCase();
  if (username !== undefined && !settings.registrationEmailAsUsername) {
    if (name.length < 3 || name.length > 255) add('username', 'error-invalid-length', 'username', 3, 255);
    if (!USERNAME.test(name)) add('username', 'error-username-invalid-character', 'username');
  }
  if (username !== undefined && realm.userForUsername(name)) add('username', 'usernameExistsMessage');
  if (email !== undefined) {
    if (email.length > 255) add('email', 'error-invalid-length-too-long', 'email', null, 255);
    if (!isValidEmail(email)) add('email', 'error-invalid-email', 'email', email);
    if (!settings.duplicateEmailsAllowed && realm.userForEmail(email)) add('email', 'emailExistsMessage');
  }
  for (const field of ['lastName', 'firstName'] as const) {
    const value = input[field];
    if (value === undefined || value === '') continue;
    if (value.length > 255) add(field, 'error-invalid-length-too-long', field, null, 255);
    if (!PERSON_NAME.test(value)) add(field, 'error-person-name-invalid-character', field);
  }

  // Stable sort: within one message, the order the attributes were checked in.
  const ordered = [...errors].sort((a, b) => (RANK[a.errorMessage] ?? 99) - (RANK[b.errorMessage] ?? 99));
  for (const error of ordered) {
    if (error.errorMessage === 'usernameExistsMessage')
      return { ok: false, status: 409, json: { errorMessage: 'User exists with same username' } };
    if (error.errorMessage === 'emailExistsMessage')
      return { ok: false, status: 409, json: { errorMessage: 'User exists with same email' } };
  }
  if (ordered.length === 1) return { ok: false, status: 400, json: ordered[0] };
  if (ordered.length > 1) return { ok: false, status: 400, json: { errors: ordered } };
  return {
    ok: true,
    profile: { username: name, email, firstName: input.firstName || undefined, lastName: input.lastName || undefined },
  };
}

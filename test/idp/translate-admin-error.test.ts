import { describe, expect, it } from '@jest/globals';
import { AccountLookupError } from '../../src/idp/account-directory.js';
import { adminAnswerFailure, adminCallFailure } from '../../src/idp/translate-admin-error.js';

// Keycloak's Admin API answers to a user create, as measured on 26.5.6 and 26.7.3 (and the older "Password policy not
// met" form), and what the contract makes of each. The HTTP suites produce most of them for real; these are the shapes
// a single realm cannot produce on demand.
const contract = (status: number, body: unknown) => {
  const { code, message, details } = adminAnswerFailure(status, body, 'authgate');
  return { code, ...(message ? { message } : {}), ...(details ? { details } : {}) };
};

describe('the Admin API half of the translation point', () => {
  it('names the taken field, and both when Keycloak cannot say which', () => {
    expect(contract(409, { errorMessage: 'User exists with same email' })).toEqual({
      code: 'user_exists',
      message: 'An account with this email already exists',
      details: [{ field: 'email', problem: 'is already taken' }],
    });
    expect(contract(409, { errorMessage: 'User exists with same username or email' })).toEqual({
      code: 'user_exists',
      details: [
        { field: 'username', problem: 'is already taken, or the email is' },
        { field: 'email', problem: 'is already taken, or the username is' },
      ],
    });
  });

  it.each([
    [
      'invalidPasswordMinDigitsMessage',
      'Invalid password: must contain at least 2 numerical digits.',
      'must contain at least 2 digit(s)',
    ],
    [
      'invalidPasswordNotEmailMessage',
      'Invalid password: must not be equal to the email.',
      'must not be the email address',
    ],
    [
      'invalidPasswordMinUpperCaseCharsMessage',
      'Invalid password: must contain at least 1 upper case characters.',
      'must contain at least 1 upper-case letter(s)',
    ],
    [
      'invalidPasswordSomethingNewMessage',
      'Invalid password: something new.',
      "does not meet the realm's password policy",
    ],
  ])('%s is weak_password: the password %s', (error, description, problem) => {
    expect(contract(400, { error, error_description: description })).toEqual({
      code: 'weak_password',
      message: `The password ${problem}`,
      details: [{ field: 'password', problem }],
    });
  });

  it("reads the older Keycloaks' single sentence as weak_password too", () => {
    expect(contract(400, { errorMessage: 'Password policy not met' })).toMatchObject({ code: 'weak_password' });
  });

  it("lists every field the user profile refuses, in Keycloak's field names turned into the contract's", () => {
    expect(
      contract(400, {
        errors: [
          { field: 'username', errorMessage: 'error-invalid-length', params: ['username', 3, 255] },
          { field: 'firstName', errorMessage: 'error-person-name-invalid-character', params: ['firstName'] },
          { field: 'email', errorMessage: 'error-invalid-length-too-long', params: ['email', null, 255] },
        ],
      }),
    ).toEqual({
      code: 'invalid_request',
      message: 'Some fields are invalid',
      details: [
        { field: 'username', problem: 'must be between 3 and 255 characters' },
        { field: 'first_name', problem: 'contains characters the realm does not accept' },
        { field: 'email', problem: 'is too long' },
      ],
    });
  });

  it("a deployment fault or the provider's own is never the caller's: 502, with the missing role in the log", () => {
    const forbidden = adminAnswerFailure(403, { error: 'HTTP 403 Forbidden' }, 'authgate');
    expect(forbidden).toMatchObject({
      code: 'unauthorized_client',
      logFields: { reason: expect.stringContaining('client authgate needs the realm-management role manage-users') },
    });
    expect(contract(404, { error: 'Realm not found.' })).toEqual({ code: 'idp_error' });
    expect(contract(500, { error: 'unknown_error' })).toEqual({ code: 'idp_error' });
  });

  it('a call that got no answer is idp_unavailable, one without a service-account token unauthorized_client', () => {
    const refused = Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }),
    });
    expect(adminCallFailure(new AccountLookupError('the Admin API cannot be reached', refused))).toMatchObject({
      code: 'idp_unavailable',
      headers: { 'Retry-After': '5' },
      logFields: { reason: 'the Admin API cannot be reached' },
    });
    const noToken = Object.assign(new Error('server responded with an error'), {
      error: 'unauthorized_client',
      error_description: 'Client not enabled to retrieve service account',
      status: 400,
    });
    expect(adminCallFailure(new AccountLookupError('no service-account token', noToken))).toMatchObject({
      code: 'unauthorized_client',
    });
  });
});

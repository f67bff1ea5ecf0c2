import { afterEach, describe, expect, it } from '@jest/globals';
import type { DevIdp } from '../../src/dev-idp/index.js';
import { admin, newUser, serviceToken } from './admin-helpers.js';
import { captureLogs, login, startTestIdp } from './helpers.js';

// Each case starts an IdP whose realm has the policy under test, and creates one user through the Admin API.
let idp: DevIdp | undefined;
afterEach(async () => {
  await idp?.close();
  idp = undefined;
});

async function withPolicy(passwordPolicy: string, logger = captureLogs().logger): Promise<DevIdp> {
  idp = await startTestIdp({ logger, realm: (realm) => ({ ...realm, passwordPolicy }) });
  return idp;
}

async function createWith(target: DevIdp, password: string, username = 'carly') {
  const body = newUser(username, password);
  return admin(target, 'POST', '/users', { bearer: await serviceToken(target), body });
}

const refusal = (error: string, description: string) => ({ error, error_description: description });

describe("the realm's password policy on a user created through the Admin API", () => {
  it.each([
    [
      'upperCase(2)',
      'abcdefgh1',
      refusal(
        'invalidPasswordMinUpperCaseCharsMessage',
        'Invalid password: must contain at least 2 upper case characters.',
      ),
    ],
    [
      'lowerCase(2)',
      'ABCDEFGH1',
      refusal(
        'invalidPasswordMinLowerCaseCharsMessage',
        'Invalid password: must contain at least 2 lower case characters.',
      ),
    ],
    [
      'specialChars(2)',
      'abcdefgh1',
      refusal('invalidPasswordMinSpecialCharsMessage', 'Invalid password: must contain at least 2 special characters.'),
    ],
    [
      'maxLength(10)',
      'abcdefghijk1',
      refusal('invalidPasswordMaxLengthMessage', 'Invalid password: maximum length 10.'),
    ],
    [
      'digits(2)',
      'abcdefgh1',
      refusal('invalidPasswordMinDigitsMessage', 'Invalid password: must contain at least 2 numerical digits.'),
    ],
    [
      'notEmail',
      'Carly@Example.test',
      refusal('invalidPasswordNotEmailMessage', 'Invalid password: must not be equal to the email.'),
    ],
    [
      'notContainsUsername',
      'xxcarlyxx1',
      refusal('invalidPasswordNotContainsUsernameMessage', 'Invalid password: Can not contain the username.'),
    ],
    [
      'regexPattern(^a.*)',
      'bbbbbbbb1',
      refusal('invalidPasswordRegexPatternMessage', 'Invalid password: fails to match regex pattern(s).'),
    ],
  ])("refuses under %s with Keycloak's key and text", async (policy, password, body) => {
    const reply = await createWith(await withPolicy(policy), password);
    expect({ status: reply.status, body: reply.body }).toEqual({ status: 400, body });
  });

  it("checks in Keycloak's order, not the string's: length before digits whichever comes first", async () => {
    const target = await withPolicy('digits(1) and length(12)');
    expect((await createWith(target, 'abc')).body).toEqual(
      refusal('invalidPasswordMinLengthMessage', 'Invalid password: minimum length 12.'),
    );
    expect((await createWith(target, 'abcdefghijkl')).body).toEqual(
      refusal('invalidPasswordMinDigitsMessage', 'Invalid password: must contain at least 1 numerical digits.'),
    );
  });

  it('counts UTF-16 units as Java does, and Unicode letters as letters', async () => {
    expect((await createWith(await withPolicy('maxLength(3)'), '😀😀')).status).toBe(400);
    await idp?.close();
    expect((await createWith(await withPolicy('length(3)'), '😀😀')).status).toBe(201);
    await idp?.close();
    expect((await createWith(await withPolicy('upperCase(1) and specialChars(1)'), 'Äbc😀')).status).toBe(201);
  });

  it('ignores passwordHistory for a new user, and an empty value sets no password at all', async () => {
    const target = await withPolicy('length(8) and passwordHistory(3)');
    expect((await createWith(target, 'carly-pass1')).status).toBe(201);
    expect((await createWith(target, '', 'quinn')).status).toBe(201);
    expect((await login(target, 'quinn', '')).status).toBe(400);
  });

  it('warns at start about a policy it does not know, and checks the ones it knows', async () => {
    const logs = captureLogs();
    const target = await withPolicy('length(8) and bogus(3)', logs.logger);
    expect(logs.events('dev_idp.unsupported_password_policy')).toEqual([
      expect.objectContaining({ level: 'warn', policies: ['bogus'] }),
    ]);
    expect((await createWith(target, 'short')).status).toBe(400);
  });

  it("lets the demo realm's users log in under its policy: imported passwords are not checked, as at Keycloak", async () => {
    const target = await withPolicy('length(20) and digits(3)');
    expect((await login(target, 'alice', 'alice-password')).status).toBe(200);
  });
});

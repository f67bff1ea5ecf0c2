import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startDevIdp, type DevIdp } from '../../src/dev-idp/index.js';
import { captureLogs, demoRealm, login, oauthError } from './helpers.js';

// Keycloak's export format: secretData and credentialData are JSON strings.
function exported(password: string, algorithm: string, digest: string, iterations: number, keyLength: number) {
  const salt = randomBytes(16);
  return {
    type: 'password',
    secretData: JSON.stringify({
      value: pbkdf2Sync(password, salt, iterations, keyLength, digest).toString('base64'),
      salt: salt.toString('base64'),
      additionalParameters: {},
    }),
    credentialData: JSON.stringify({ hashIterations: iterations, algorithm, additionalParameters: {} }),
  };
}

const person = (username: string, credential: Record<string, unknown>) => ({
  username,
  enabled: true,
  email: `${username}@example.test`,
  firstName: 'F',
  lastName: 'L',
  credentials: [credential],
});

let idp: DevIdp;
let logs: ReturnType<typeof captureLogs>;
beforeAll(async () => {
  const realm = await demoRealm();
  logs = captureLogs();
  idp = await startDevIdp({
    logger: logs.logger,
    realm: {
      ...realm,
      users: [
        person('dave', exported('s3cret', 'pbkdf2-sha256', 'sha256', 27500, 32)),
        person('erin', exported('s3cret', 'pbkdf2-sha512', 'sha512', 1000, 64)),
        person('finn', exported('s3cret', 'pbkdf2', 'sha1', 1000, 64)),
        person('gail', {
          type: 'password',
          secretData: '{"value":"eA==","salt":"eQ=="}',
          credentialData: '{"hashIterations":5,"algorithm":"argon2"}',
        }),
      ],
    },
  });
});
afterAll(async () => {
  await idp.close();
});

describe('credentials exported from Keycloak', () => {
  it('checks a pbkdf2-sha256 hash of 27,500 iterations (Keycloak before 24) with its 32-byte key', async () => {
    expect((await login(idp, 'dave', 's3cret')).status).toBe(200);
    expect((await login(idp, 'dave', 'S3cret')).body).toEqual(oauthError('invalid_grant', 'Invalid user credentials'));
  });

  it('checks pbkdf2-sha512 and pbkdf2 (SHA-1) hashes with 64-byte keys', async () => {
    expect((await login(idp, 'erin', 's3cret')).status).toBe(200);
    expect((await login(idp, 'finn', 's3cret')).status).toBe(200);
  });

  it('warns at start about an Argon2 hash it cannot check, and that user cannot log in', async () => {
    expect(logs.lines().filter((l) => l.event === 'dev_idp.unsupported_credential')).toEqual([
      expect.objectContaining({
        level: 'warn',
        username: 'gail',
        reason: 'hash algorithm "argon2" is not supported by the dev IdP',
      }),
    ]);
    expect((await login(idp, 'gail', 's3cret')).body).toEqual(oauthError('invalid_grant', 'Invalid user credentials'));
  });
});

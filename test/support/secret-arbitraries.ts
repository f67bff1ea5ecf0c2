import fc from 'fast-check';

/** Secrets a test can recognise anywhere: this marker never occurs in the benign values around them. */
export const MARK = 'Sk!';

const b64 = (value: string | Uint8Array) => Buffer.from(value).toString('base64url');

/** A password or an opaque token: any characters, behind the marker. */
export const secretText = fc.string({ unit: 'binary', minLength: 4, maxLength: 30 }).map((s) => `${MARK}${s}`);

/** A signed JWT as providers issue them, including an empty claim set (`e30`) and an unsigned one (`alg: none`). */
export const jwt = fc
  .tuple(
    fc.record(
      {
        alg: fc.constantFrom('RS256', 'ES256', 'HS512', 'PS256', 'none'),
        typ: fc.constantFrom('JWT', 'at+jwt', 'Refresh'),
        kid: fc.string({ maxLength: 12 }),
      },
      { requiredKeys: ['alg'] },
    ),
    fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
    fc.uint8Array({ maxLength: 64 }),
  )
  .map(
    ([header, claims, signature]) => `${b64(JSON.stringify(header))}.${b64(JSON.stringify(claims))}.${b64(signature)}`,
  );

/** An encrypted JWT (five parts; with `dir` the second is empty). */
export const jwe = fc
  .tuple(
    fc.record({ alg: fc.constantFrom('dir', 'RSA-OAEP-256'), enc: fc.constant('A256GCM') }),
    fc.uint8Array({ maxLength: 32 }),
    fc.uint8Array({ minLength: 12, maxLength: 12 }),
    fc.uint8Array({ minLength: 1, maxLength: 64 }),
    fc.uint8Array({ minLength: 16, maxLength: 16 }),
  )
  .map(([header, key, iv, ciphertext, tag]) =>
    [b64(JSON.stringify(header)), b64(key), b64(iv), b64(ciphertext), b64(tag)].join('.'),
  );

const SECRET_NAMES = [
  'password',
  'passwd',
  'pwd',
  'secret',
  'client_secret',
  'clientSecret',
  'token',
  'access_token',
  'accessToken',
  'refresh_token',
  'refreshToken',
  'id_token',
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'credentials',
  'client_assertion',
  'code_verifier',
  'api_key',
  'apiKey',
  'x-api-key',
  'private_key',
  'session_id',
  'sessionId',
  'jwt',
  'bearer',
];

/** A key naming a secret, in any case, with the prefixes and suffixes field names grow. */
export const secretKey = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('', 'x-', 'new_', 'old', 'user_', 'kc.'),
      fc.mixedCase(fc.constantFrom(...SECRET_NAMES)),
      fc.constantFrom('', 's', 'Value', '_raw'),
    )
    .map((parts) => parts.join('')),
  fc.mixedCase(fc.constantFrom('code', 'sid')),
);

export const BENIGN_KEYS = [
  'event',
  'user',
  'path',
  'detail',
  'reason',
  'items',
  'info',
  'data',
  'value',
  'text',
  'note',
  'list',
  'error',
  'url',
  'query',
  'status',
];
export const benignKey = fc.constantFrom(...BENIGN_KEYS);
export const benignText = fc
  .string({ unit: 'binary', maxLength: 20 })
  .filter((s) => !s.includes(MARK) && !s.includes('eyJ'));

/**
 * Pieces of `secret` whose presence in a log means it leaked: the whole (raw and as JSON escapes it) and, for a
 * token in parts, each part long enough to be told apart from chance.
 */
export function telltales(secret: string): string[] {
  const parts = secret.split('.').filter((part) => part.length >= 8);
  return [secret, JSON.stringify(secret).slice(1, -1), ...(parts.length > 1 ? parts : [])];
}

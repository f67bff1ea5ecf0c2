import fc from 'fast-check';

/**
 * The pieces malformed requests are made of. Each pool mixes what a real client sends with what an attacker or a
 * broken client sends instead: wrong types, unicode and control characters, prototype-pollution keys, bad
 * percent-encoding, sizes around and over the gateway's limits.
 */

/** Only the probes log in as this user: the fuzz never names it, so it cannot rate-limit it. */
export const PROBE_USER = 'admin';
/** Sent as passwords and secrets: must never come back in an answer (or, once redacted, in a log line). */
export const CANARY = 'FUZZ-CANARY-9f3b1c';

export const ROUTES = [
  '/api/auth/login',
  '/api/auth/refresh-token',
  '/api/auth/logout',
  '/api/auth/me',
  '/api/auth/session',
  '/api/auth/callback',
  '/healthz',
  '/readyz',
  '/api/openapi.json',
  '/api/docs',
  '/api/docs/',
  '/demo',
  '/demo/',
  '/demo/authgate-client.js',
  '/',
  '/api/auth',
  '/api/auth/nope',
  '/.env',
  '/api/auth/login/../me',
];

const text = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '\u0000',
      '\r\n',
      '\u202e',
      '😀',
      '\ud800',
      '%',
      '%zz',
      '%c0%af',
      '..',
      'null',
      'undefined',
    ),
  },
);
/** Around the field limits (255, 1024, 16384 characters) and the body limit (64 kB). */
const long = fc.constantFrom(255, 256, 1024, 1025, 16_384, 16_385, 70_000).map((n) => 'x'.repeat(n));

const userName = fc
  .oneof(fc.constantFrom('alice', 'ALICE', 'bob', 'carol', 'nobody', 'alice\u0000', 'alice@example.test'), text)
  .filter((name) => name.toLowerCase() !== PROBE_USER);

/** Any JSON value, shallow or nested, to put where a string belongs. */
const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(
    fc.constantFrom('$ne', '$gt', '__proto__', 'constructor', 'toString', 'a'),
    fc.jsonValue({ maxDepth: 2 }),
    { maxKeys: 3 },
  ),
);

const field = (value: fc.Arbitrary<unknown>) =>
  fc.oneof({ weight: 6, arbitrary: value }, { weight: 2, arbitrary: wrongType }, { weight: 1, arbitrary: long });

/** Fields of a login, refresh or logout body; `refreshToken` is a real one of a fuzz user, sent now and then. */
function loginLike(refreshToken: string | undefined) {
  return fc.record(
    {
      username: field(userName),
      password: field(fc.oneof(fc.constant(CANARY), text)),
      scope: field(fc.oneof(fc.constantFrom('openid', 'openid profile', 'admin', 'openid "x"'), text)),
      refresh_token: field(fc.oneof(fc.constant(CANARY), fc.constant(refreshToken ?? CANARY), text)),
    },
    { requiredKeys: [] },
  );
}

const POLLUTION = [
  '{"__proto__":{"polluted":"yes"},"username":"alice","password":"x"}',
  '{"constructor":{"prototype":{"polluted":"yes"}},"username":"alice"}',
  '{"username":{"__proto__":{"toString":1}},"password":{"constructor":{"prototype":{"x":1}}}}',
  '{"__proto__":[],"refresh_token":"x"}',
  '{"hasOwnProperty":1,"toString":"x","valueOf":null}',
];
const FORM_POLLUTION = [
  '__proto__[polluted]=yes&username=alice',
  'constructor[prototype][polluted]=yes',
  '__proto__=x&__proto__=y',
  'username[]=a&username[]=b',
];

/** Form encoding (lone surrogates become U+FFFD, as in a browser). */
function encodeForm(pairs: [string, string][]): string {
  return new URLSearchParams(pairs).toString();
}

const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 4, arbitrary: fc.constant('application/json') },
  { weight: 3, arbitrary: fc.constant('application/x-www-form-urlencoded') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      undefined,
      'application/json; charset=utf-8',
      'application/json; charset=utf-16',
      'application/json; charset=latin1',
      'application/json; charset=bogus',
      'application/json; charset=utf-7',
      'application/x-www-form-urlencoded; charset=iso-8859-1',
      'application/vnd.api+json',
      'text/plain',
      'multipart/form-data; boundary=x',
      'application/xml',
      'application/json;;;',
      'application/json, text/plain',
      '*/*',
      'application/',
      'json',
      '',
    ),
  },
);

const nested = fc
  .tuple(fc.constantFrom('[', '{"a":'), fc.integer({ min: 10, max: 40_000 }))
  .map(([open, n]) => open.repeat(n) + (open === '[' ? ']'.repeat(n) : '1' + '}'.repeat(n)));
const tooManyFields = fc
  .integer({ min: 45, max: 60 })
  .map((n) => Array.from({ length: n }, (_, i) => `k${i}=v`).join('&'));

/** A body as bytes, with the content type it is labelled with (or none). */
export function bodyPart(
  refreshToken: string | undefined,
): fc.Arbitrary<{ body: Buffer; contentType: string | undefined }> {
  const fields = loginLike(refreshToken).map((o) => JSON.stringify(o));
  const body = fc.oneof(
    { weight: 5, arbitrary: fields },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.constantFrom(...POLLUTION, ...FORM_POLLUTION) },
    { weight: 1, arbitrary: nested },
    { weight: 2, arbitrary: fields.chain((s) => fc.nat(s.length).map((cut) => s.slice(0, cut))) },
    { weight: 2, arbitrary: fc.array(fc.tuple(text, text), { maxLength: 60, size: 'small' }).map(encodeForm) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'username=%zz&password=%',
        'a=%E0%A4%A',
        '=&=&&',
        'username=alice&username=bob&password=x',
      ),
    },
    { weight: 1, arbitrary: tooManyFields },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)) },
    {
      weight: 1,
      arbitrary: fc
        .integer({ min: 60_000, max: 140_000 })
        .map((n) => JSON.stringify({ username: 'alice', password: 'p'.repeat(n) })),
    },
    { weight: 1, arbitrary: fc.constant('') },
  );
  return fc
    .tuple(body, contentType)
    .map(([b, type]) => ({ body: typeof b === 'string' ? Buffer.from(b, 'utf8') : b, contentType: type }));
}

/** A request target: a route as it is, or bent. */
export const target: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom(...ROUTES),
    fc.oneof(
      { weight: 6, arbitrary: fc.constant((r: string) => r) },
      { weight: 1, arbitrary: fc.constant((r: string) => `${r}/`) },
      { weight: 1, arbitrary: fc.constant((r: string) => r.toUpperCase()) },
      { weight: 1, arbitrary: fc.constant((r: string) => r.replace('/', '//')) },
      { weight: 1, arbitrary: fc.constant((r: string) => `http://evil.example${r}`) },
      {
        weight: 1,
        arbitrary: fc
          .constantFrom('%zz', '%', '%c0%af', '%00', '%2e%2e%2f', '%2F', '..', ';jsessionid=1', '\u00e9', '\u202e')
          .map((bad) => (r: string) => `${r}${bad}`),
      },
      { weight: 1, arbitrary: fc.webSegment().map((segment) => (r: string) => `${r}/${segment}`) },
      { weight: 1, arbitrary: fc.constant(() => '*') },
    ),
    fc.option(
      fc
        .array(
          fc.tuple(
            fc.oneof(
              fc.constantFrom(
                'return_to',
                'state',
                'code',
                'error',
                'password',
                'refresh_token',
                'token',
                'iss',
                '__proto__',
                'constructor[prototype][x]',
                'a[]',
              ),
              fc.webSegment(),
            ),
            fc.oneof(
              fc.constantFrom('/app', '//evil.example', 'https://evil.example', '/\\evil', '%zz', '%', ''),
              fc.webSegment(),
              text.map((v) => encodeForm([['', v]]).slice(1)),
            ),
          ),
          { maxLength: 6 },
        )
        .chain((pairs) =>
          fc
            .option(fc.constantFrom('password', 'refresh_token', 'access_token'))
            .map((secret) => (secret ? [...pairs, [secret, CANARY] as [string, string]] : pairs)),
        ),
      { freq: 2 },
    ),
  )
  .map(([route, bend, query]) => `${bend(route)}${query ? `?${query.map(([k, v]) => `${k}=${v}`).join('&')}` : ''}`);

export const method: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('GET', 'POST') },
  { weight: 3, arbitrary: fc.constantFrom('PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'TRACE',
      'PROPFIND',
      'PURGE',
      'SEARCH',
      'QUERY',
      'CONNECT',
      'get',
      'G ET',
      'POST\u0000',
      'FOO',
      '',
    ),
  },
);

export const version: fc.Arbitrary<string> = fc.oneof(
  { weight: 20, arbitrary: fc.constant('HTTP/1.1') },
  {
    weight: 1,
    arbitrary: fc.constantFrom('HTTP/1.0', 'HTTP/0.9', 'HTTP/2.0', 'HTTP/1.1 x', 'http/1.1', 'HTTP/9.9', ''),
  },
);

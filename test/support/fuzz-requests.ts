import fc from 'fast-check';
import { bodyPart, CANARY, method, target, version } from './fuzz-parts.js';

/** Real credentials of a fuzz user (never the probe user), sent as they are and mangled. */
export interface FuzzCredentials {
  /** `authgate.sid=...` as the browser sends it (session mode). */
  sessionCookie?: string;
  accessToken?: string;
  refreshToken?: string;
}

export interface FuzzRequest {
  bytes: Buffer;
  /** HEAD: the answer has no body. */
  head: boolean;
  /** The body is cut short and the connection half-closed: the server sees the end of the stream mid-request. */
  halfClose: boolean;
}

type Header = [string, string];

const smallText = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('', '\u0000', 'a\rb', 'a\nb', 'x\r\nInjected: 1', '\u00ff'),
);

/** Flips one character of a real value: every position of a cookie or token gets its turn over the run. */
function mangled(value: string): fc.Arbitrary<string> {
  return fc
    .tuple(fc.nat(Math.max(0, value.length - 1)), fc.integer({ min: 0x21, max: 0x7e }))
    .map(([at, code]) => `${value.slice(0, at)}${String.fromCharCode(code)}${value.slice(at + 1)}`);
}

function cookie(credentials: FuzzCredentials): fc.Arbitrary<string> {
  const real = credentials.sessionCookie;
  const forged = fc
    .tuple(fc.base64String({ maxLength: 40 }), fc.base64String({ maxLength: 50 }))
    .map(([id, sig]) => `authgate.sid=s%3A${id}.${sig}`);
  return fc.oneof(
    ...(real
      ? [
          fc.constant(real),
          mangled(real),
          fc.constant(`${real}; ${real}`),
          fc.constant(`authgate.sid=s%3Aforged.sig; ${real}`),
          fc.constant(real.replace('s%3A', 's:')),
        ]
      : []),
    forged,
    fc.oneof(smallText, fc.constant(CANARY)).map((v) => `authgate.sid=${v}`),
    fc.constantFrom(
      'authgate.sid=%zz',
      'authgate.sid=',
      'authgate.sid',
      '=; ;=;',
      '__proto__=1; constructor=2; hasOwnProperty=3',
      'authgate.sid="s%3Aquoted.sig"',
    ),
    fc.webSegment().map((state) => `authgate.login=${state}`),
    fc.integer({ min: 1000, max: 20_000 }).map((n) => `big=${'c'.repeat(n)}`),
  );
}

function authorization(credentials: FuzzCredentials): fc.Arbitrary<string> {
  const real = credentials.accessToken;
  return fc.oneof(
    ...(real
      ? [fc.constant(`Bearer ${real}`), mangled(real).map((t) => `Bearer ${t}`), fc.constant(`bearer   ${real}`)]
      : []),
    fc.constantFrom(
      'Bearer',
      'Bearer ',
      'Basic YWxpY2U6YWxpY2UtcGFzc3dvcmQ=',
      'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
      'Bearer a.b.c',
      'Bearer eyJ.eyJ.',
      `Bearer ${CANARY}`,
    ),
    smallText.map((v) => `Bearer ${v}`),
  );
}

function headerPool(credentials: FuzzCredentials): fc.Arbitrary<Header> {
  const named = (name: string, value: fc.Arbitrary<string>) => value.map((v): Header => [name, v]);
  return fc.oneof(
    named(
      'X-CSRF',
      fc.oneof(
        { weight: 6, arbitrary: fc.constant('1') },
        { weight: 1, arbitrary: fc.constantFrom('0', 'true', '1 ', ' 1', '1, 1', '') },
        { weight: 1, arbitrary: smallText },
      ),
    ),
    named('Cookie', cookie(credentials)),
    named('Authorization', authorization(credentials)),
    named(
      'Origin',
      fc.constantFrom(
        'http://localhost:3000',
        'null',
        'https://evil.example',
        'http://localhost:3000.evil.example',
        'http://LOCALHOST:3000',
        'http://localhost:3000/',
        '',
      ),
    ),
    named('Referer', fc.constantFrom('http://localhost:3000/app', 'https://evil.example/', '%zz')),
    named('X-Request-Id', fc.oneof(fc.uuid(), smallText, fc.constant('a'.repeat(500)))),
    named('X-Forwarded-For', fc.oneof(fc.ipV4(), smallText)),
    named('X-Forwarded-Proto', fc.constantFrom('https', 'http', 'gopher', '')),
    named('X-HTTP-Method-Override', fc.constantFrom('POST', 'DELETE', 'GET')),
    named('Expect', fc.constantFrom('100-continue', 'foo', '')),
    named('Connection', fc.constantFrom('close', 'keep-alive', 'Upgrade', 'TE, close')),
    named('Upgrade', fc.constantFrom('websocket', 'h2c')),
    named('Content-Encoding', fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'bogus')),
    named('Accept', fc.constantFrom('application/json', 'text/html', '*/*', '')),
    named('Accept-Encoding', fc.constantFrom('gzip', 'br', '*', '')),
    named('Range', fc.constantFrom('bytes=0-1', 'bytes=-1', 'bytes=9-1')),
    named('Access-Control-Request-Method', fc.constantFrom('POST', 'DELETE')),
    named('Host', fc.constantFrom('evil.example', '', 'localhost:3000, evil.example')),
    fc.tuple(fc.stringMatching(/^[!#$%&'*+.^_`|~\w-]{1,30}$/), smallText),
    fc.tuple(fc.string({ minLength: 1, maxLength: 10 }), smallText),
    fc.integer({ min: 4000, max: 40_000 }).map((n): Header => ['X-Huge', 'h'.repeat(n)]),
  );
}

type Framing =
  | 'length'
  | 'chunked'
  | 'none'
  | 'short-length'
  | 'long-length'
  | 'length-and-chunked'
  | 'two-lengths'
  | 'bad-length'
  | 'unknown-coding'
  | 'bad-chunk'
  | 'truncated';

const framing: fc.Arbitrary<Framing> = fc.oneof(
  { weight: 12, arbitrary: fc.constant('length' as const) },
  { weight: 3, arbitrary: fc.constant('chunked' as const) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<Framing>(
      'none',
      'short-length',
      'long-length',
      'length-and-chunked',
      'two-lengths',
      'bad-length',
      'unknown-coding',
      'bad-chunk',
      'truncated',
    ),
  },
);

function frame(kind: Framing, body: Buffer, cut: number): { headers: Header[]; payload: Buffer; halfClose: boolean } {
  const length = String(body.length);
  const chunked = Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from(`\r\n0\r\n\r\n`)]);
  switch (kind) {
    case 'length':
      return { headers: [['Content-Length', length]], payload: body, halfClose: false };
    case 'chunked':
      return {
        headers: [['Transfer-Encoding', 'chunked']],
        payload: body.length === 0 ? Buffer.from('0\r\n\r\n') : chunked,
        halfClose: false,
      };
    case 'none':
      return { headers: [], payload: body, halfClose: false };
    case 'short-length':
      return { headers: [['Content-Length', String(Math.floor(body.length / 2))]], payload: body, halfClose: false };
    case 'long-length':
      return { headers: [['Content-Length', String(body.length + 10)]], payload: body, halfClose: true };
    case 'length-and-chunked':
      return {
        headers: [
          ['Content-Length', length],
          ['Transfer-Encoding', 'chunked'],
        ],
        payload: chunked,
        halfClose: false,
      };
    case 'two-lengths':
      return {
        headers: [
          ['Content-Length', length],
          ['Content-Length', String(body.length + 1)],
        ],
        payload: body,
        halfClose: false,
      };
    case 'bad-length':
      return {
        headers: [
          [
            'Content-Length',
            ['abc', '-1', '1e3', `+${length}`, '99999999999999999999', `${length}, ${length}`][cut % 6] ?? 'x',
          ],
        ],
        payload: body,
        halfClose: true,
      };
    case 'unknown-coding':
      return {
        headers: [
          ['Transfer-Encoding', ['gzip', 'chunked, gzip', 'identity', 'xchunked', 'chunked\u0000'][cut % 5] ?? 'x'],
        ],
        payload: chunked,
        halfClose: true,
      };
    case 'bad-chunk':
      return {
        headers: [['Transfer-Encoding', 'chunked']],
        payload: Buffer.concat([Buffer.from('zz\r\n'), body, Buffer.from('\r\n')]),
        halfClose: true,
      };
    case 'truncated':
      return {
        headers: [['Content-Length', length]],
        payload: body.subarray(0, cut % Math.max(1, body.length)),
        halfClose: true,
      };
  }
}

/** One malformed (or, now and then, well-formed) request, as bytes on the wire. */
export function fuzzRequest(credentials: FuzzCredentials): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
      method,
      target,
      version,
      host: fc.oneof(
        { weight: 12, arbitrary: fc.constant<Header[]>([['Host', 'localhost:3000']]) },
        { weight: 1, arbitrary: fc.constant<Header[]>([]) },
      ),
      headers: fc.array(headerPool(credentials), { maxLength: 8 }),
      withBody: fc.boolean(),
      body: bodyPart(credentials.refreshToken),
      framing,
      cut: fc.nat(),
    })
    .map(({ method: m, target: t, version: v, host, headers, withBody, body, framing: kind, cut }) => {
      const all: Header[] = [...host, ...headers];
      let payload: Buffer = Buffer.alloc(0);
      let halfClose = false;
      if (withBody) {
        if (body.contentType !== undefined) all.push(['Content-Type', body.contentType]);
        const framed = frame(kind, body.body, cut);
        all.push(...framed.headers);
        payload = framed.payload;
        halfClose = framed.halfClose;
      }
      const head = `${m} ${t} ${v}\r\n${all.map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n`;
      return { bytes: Buffer.concat([Buffer.from(head, 'utf8'), payload]), head: m === 'HEAD', halfClose };
    });
}

/** The start of a request, printable, for a failure report. */
export function describeRequest(request: FuzzRequest): string {
  const text = request.bytes.toString('latin1');
  return JSON.stringify(text.length > 600 ? `${text.slice(0, 600)}... (${text.length} bytes)` : text);
}

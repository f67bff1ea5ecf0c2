import { randomInt } from 'node:crypto';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DevIdp } from '../../src/dev-idp/index.js';
import { sendCutShort } from '../support/cut-short.js';
import { buildTestGateway, type TestGateway } from '../support/gateway.js';
import { startTestIdp } from '../support/idp.js';
import { listen, type Listening } from '../support/listen.js';

// No hex digit and no vowel: no 4-character piece of it can turn up by chance in a request id, a timestamp or a word.
const ALPHABET = 'ghjklmnpqrstvwxzGHJKLMNPQRSTVWXZ';
const CANARY = Array.from({ length: 24 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
const FRAGMENTS = Array.from({ length: CANARY.length - 3 }, (_, i) => CANARY.slice(i, i + 4));
const LOGIN_BODY = `{"username":"canary","password":"${CANARY}"}`;
const NOT_JSON = { error: 'invalid_request', message: 'The body is not valid JSON' };

interface Answer {
  status: number;
  body: unknown;
}

let idp: DevIdp;
let gateway: TestGateway;
let server: Listening;

beforeAll(async () => {
  idp = await startTestIdp();
  // Login limits out of the way: the test sends hundreds of failed logins of one user from one address on purpose.
  gateway = buildTestGateway({
    idpUrl: idp.url,
    env: { LOG_LEVEL: 'silly', LOGIN_FAILURES_PER_IP: '1000000', LOGIN_FAILURES_PER_USER: '100000' },
  });
  server = await listen(gateway.app);
});
afterAll(async () => {
  await server.close();
  await idp.close();
});

/** Sent over a socket as the bytes given: supertest would re-encode a Buffer body as JSON. */
async function post(
  path: string,
  contentType: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
  at = server.url,
): Promise<Answer> {
  const res = await fetch(new URL(path, at), {
    method: 'POST',
    headers: { ...headers, 'Content-Type': contentType },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: res.headers.get('content-type')?.startsWith('application/json') ? (JSON.parse(text) as unknown) : text,
  };
}

/** The log lines (at every level) holding any 4-character piece of the canary, or its NUL-spread UTF-16 form. */
function leaks(text: string): string[] {
  return text.split('\n').filter((line) => {
    const squeezed = line.replace(/\\u0000/g, '');
    return FRAGMENTS.some((f) => line.includes(f) || squeezed.includes(f));
  });
}

/** A contract answer: a 4xx, `{error, message}`, `details` only on invalid_request. */
function contractBroken(answers: Answer[]): Answer[] {
  return answers.filter(({ status, body }) => {
    if (status < 400 || status >= 500 || body === null || typeof body !== 'object') return true;
    const { error, message, details, ...rest } = body as Record<string, unknown>;
    return (
      typeof error !== 'string' ||
      typeof message !== 'string' ||
      Object.keys(rest).length > 0 ||
      (details !== undefined && error !== 'invalid_request')
    );
  });
}

async function waitForLines(count: () => number, wanted: number): Promise<void> {
  for (let waited = 0; count() < wanted && waited < 3000; waited += 20)
    await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('a malformed body never puts its text into a log line', () => {
  it('JSON cut at every position, or corrupted at every position, leaves no piece of the password in any log line', async () => {
    const cut: Answer[] = [];
    for (let at = 1; at < LOGIN_BODY.length; at += 1)
      cut.push(await post('/api/auth/login', 'application/json', LOGIN_BODY.slice(0, at)));
    const corrupted: Answer[] = [];
    for (let at = 0; at < LOGIN_BODY.length; at += 1) {
      for (const bad of ['"', '}', '\\', '\u0001'])
        corrupted.push(
          await post(
            '/api/auth/login',
            'application/json',
            `${LOGIN_BODY.slice(0, at)}${bad}${LOGIN_BODY.slice(at + 1)}`,
          ),
        );
    }
    // The attack run's example: a password that is not a JSON string.
    const unquoted = await post('/api/auth/login', 'application/json', `{"username":"alice","password":${CANARY}}`);

    expect(cut.filter((a) => JSON.stringify(a) !== JSON.stringify({ status: 400, body: NOT_JSON }))).toEqual([]);
    expect(unquoted).toEqual({ status: 400, body: NOT_JSON });
    expect(contractBroken(corrupted)).toEqual([]);
    expect(leaks(gateway.logs.text())).toEqual([]);
    // What went wrong is still logged: the kind of failure, with no text of the body.
    expect(gateway.logs.events('http.error')).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        error: 'invalid_request',
        status: 400,
        method: 'POST',
        path: '/api/auth/login',
        bodyError: 'entity.parse.failed',
      }),
    );
    expect(
      gateway.logs.events('http.error').filter((l) => l.bodyError === 'entity.parse.failed').length,
    ).toBeGreaterThanOrEqual(cut.length);
  });

  it('form bodies, wrong charsets, compressed and oversized bodies and wrongly typed fields leave no piece of it either', async () => {
    const form = `username=canary&password=${CANARY}`;
    const broken = LOGIN_BODY.slice(0, -3);
    const utf16be = Buffer.from(broken, 'utf16le').swap16();
    const answers = {
      formUtf7: await post('/api/auth/login', 'application/x-www-form-urlencoded; charset=utf-7', form),
      formLatin1Label: await post(
        '/api/auth/login',
        'application/x-www-form-urlencoded; charset=latin1',
        Buffer.from(`${form}\u00e9`, 'latin1'),
      ),
      formIso88591: await post(
        '/api/auth/login',
        'application/x-www-form-urlencoded; charset=iso-8859-1',
        Buffer.from(`${form}\u00e9`, 'latin1'),
      ),
      formTooManyFields: await post(
        '/api/auth/login',
        'application/x-www-form-urlencoded',
        `${form}&${Array.from({ length: 60 }, (_, i) => `f${i}=${CANARY}`).join('&')}`,
      ),
      formBadEscapes: await post(
        '/api/auth/login',
        'application/x-www-form-urlencoded',
        `username=%zz&password=%E0%A4%A${CANARY}%`,
      ),
      jsonUtf7: await post('/api/auth/login', 'application/json; charset=utf-7', LOGIN_BODY),
      jsonLatin1: await post(
        '/api/auth/login',
        'application/json; charset=latin1',
        Buffer.from(`${broken}\u00e9`, 'latin1'),
      ),
      jsonUtf16le: await post('/api/auth/login', 'application/json; charset=utf-16le', Buffer.from(broken, 'utf16le')),
      jsonUtf16be: await post('/api/auth/login', 'application/json; charset=utf-16be', utf16be),
      jsonUtf8Declared16: await post('/api/auth/login', 'application/json; charset=utf-16', Buffer.from(broken)),
      jsonInvalidUtf8: await post(
        '/api/auth/login',
        'application/json',
        Buffer.concat([Buffer.from(broken), Buffer.from([0xff, 0xfe, 0xc3])]),
      ),
      jsonSuffixType: await post('/api/auth/login', 'application/vnd.api+json', broken),
      gzip: await post('/api/auth/login', 'application/json', gzipSync(broken), { 'Content-Encoding': 'gzip' }),
      deflate: await post('/api/auth/login', 'application/json', deflateSync(broken), {
        'Content-Encoding': 'deflate',
      }),
      brotli: await post('/api/auth/login', 'application/json', brotliCompressSync(broken), {
        'Content-Encoding': 'br',
      }),
      gzipCorrupt: await post(
        '/api/auth/login',
        'application/json',
        Buffer.concat([gzipSync(LOGIN_BODY).subarray(0, 12), Buffer.from(CANARY)]),
        { 'Content-Encoding': 'gzip' },
      ),
      tooLarge: await post(
        '/api/auth/login',
        'application/json',
        `{"password":"${CANARY}","pad":"${'x'.repeat(70_000)}"`,
      ),
      wrongTypes: await post(
        '/api/auth/login',
        'application/json',
        `{"username":{"${CANARY}":1},"password":["${CANARY}"]}`,
      ),
      notAnObject: await post('/api/auth/login', 'application/json', `"${CANARY}"`),
      controlInUsername: await post(
        '/api/auth/login',
        'application/json',
        `{"username":"${CANARY}\\u0001","password":"${CANARY}"}`,
      ),
      badScope: await post(
        '/api/auth/login',
        'application/json',
        `{"username":"canary","password":"${CANARY}","scope":"${CANARY}\\""}`,
      ),
      refreshBroken: await post('/api/auth/refresh-token', 'application/json', `{"refresh_token":"${CANARY}`),
      refreshControl: await post('/api/auth/refresh-token', 'application/json', `{"refresh_token":"${CANARY}\\u0000"}`),
      logoutBroken: await post('/api/auth/logout', 'application/json', `{"refresh_token":${CANARY}}`),
      unknownRoute: await post('/api/nowhere', 'application/json', broken),
    };

    expect(contractBroken(Object.values(answers))).toEqual([]);
    expect(answers.jsonUtf16le).toEqual({ status: 400, body: NOT_JSON });
    expect(answers.formUtf7).toEqual({
      status: 415,
      body: {
        error: 'unsupported_media_type',
        message: 'Send the body as application/json or application/x-www-form-urlencoded',
      },
    });
    expect(leaks(gateway.logs.text())).toEqual([]);
  });

  it('a body cut short (more announced than sent, then the client goes away) leaves no piece of it in the logs', async () => {
    const errors = () => gateway.logs.events('http.error').length;
    const before = errors();
    const form = Buffer.from(`username=canary&password=${CANARY}`);
    const json = Buffer.from(LOGIN_BODY);
    const passwordAt = LOGIN_BODY.indexOf(CANARY);
    for (const at of [passwordAt + 4, passwordAt + 12, json.length - 2])
      await sendCutShort(
        server.url,
        '/api/auth/login',
        { 'Content-Type': 'application/json' },
        json.subarray(0, at),
        json.length + 50,
      );
    await sendCutShort(
      server.url,
      '/api/auth/login',
      { 'Content-Type': 'application/x-www-form-urlencoded' },
      form.subarray(0, form.length - 3),
      form.length + 50,
    );
    await waitForLines(errors, before + 4);
    // Compressed, the body is read through the decompressor, which never hears of the abort: no line at all.
    const gzipped = gzipSync(json);
    await sendCutShort(
      server.url,
      '/api/auth/login',
      { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
      gzipped.subarray(0, gzipped.length - 4),
      gzipped.length + 50,
    );

    expect(gateway.logs.events('http.error').slice(before)).toEqual(
      Array.from({ length: 4 }, () =>
        expect.objectContaining({
          error: 'invalid_request',
          status: 400,
          path: '/api/auth/login',
          bodyError: 'request.aborted',
        }),
      ),
    );
    expect(leaks(gateway.logs.text())).toEqual([]);
  });

  it('in session mode, where the same parsers read the body behind the CSRF check, no piece of it reaches the logs', async () => {
    const session = buildTestGateway({ idpUrl: idp.url, mode: 'session', env: { LOG_LEVEL: 'silly' } });
    const sessionServer = await listen(session.app);
    const csrf = { 'X-CSRF': '1' };
    const answers: Answer[] = [];
    for (let at = 1; at < LOGIN_BODY.length; at += 3)
      answers.push(await post('/api/auth/login', 'application/json', LOGIN_BODY.slice(0, at), csrf, sessionServer.url));
    answers.push(await post('/api/auth/logout', 'application/json', `{"x":${CANARY}}`, csrf, sessionServer.url));
    answers.push(
      await post(
        '/api/auth/login',
        'application/json; charset=utf-16le',
        Buffer.from(LOGIN_BODY.slice(0, -2), 'utf16le'),
        csrf,
        sessionServer.url,
      ),
    );
    await sessionServer.close();

    expect(answers.filter((a) => JSON.stringify(a) !== JSON.stringify({ status: 400, body: NOT_JSON }))).toEqual([]);
    expect(leaks(session.logs.text())).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config/load-config.js';
import type { DevIdp } from '../../src/dev-idp/index.js';
import { startGateway, type RunningGateway } from '../../src/gateway.js';
import { RequestContext } from '../../src/observability/request-context.js';
import { buildTestGateway, DEMO_CLIENT_SECRET } from '../support/gateway.js';
import { startTestIdp } from '../support/idp.js';
import { listen, type Listening } from '../support/listen.js';
import { captureLogs, type CapturedLogs } from '../support/logs.js';
import { sendRaw, type RawAnswer } from '../support/raw-http.js';

/*
 * Requests Node's HTTP server answers by itself, before the app sees them: the cases the fuzz
 * (fuzz-malformed-requests.test.ts) first found, kept here as fixed examples.
 */
let idp: DevIdp;
let server: Listening;
let port: number;
beforeAll(async () => {
  idp = await startTestIdp();
  server = await listen(buildTestGateway({ idpUrl: idp.url, mode: 'session' }).app);
  port = Number(new URL(server.url).port);
});
afterAll(async () => {
  await server.close();
  await idp.close();
});

const UUID = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/;

function send(text: string, halfClose = false): Promise<RawAnswer | undefined> {
  return sendRaw(port, Buffer.from(text, 'latin1'), { halfClose });
}

function shown(answer: RawAnswer | undefined) {
  return (
    answer && {
      status: answer.status,
      type: answer.headers['content-type'],
      requestId: answer.headers['x-request-id'],
      body: JSON.parse(answer.body.toString('utf8')) as unknown,
    }
  );
}

function invalid(message: string) {
  return {
    status: 400,
    type: 'application/json; charset=utf-8',
    requestId: expect.stringMatching(UUID),
    body: { error: 'invalid_request', message },
  };
}

describe('requests that are not HTTP, answered in the contract', () => {
  it.each([
    [
      'Content-Length with Transfer-Encoding',
      'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    ],
    [
      'two Content-Lengths',
      'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}',
    ],
    ['a control character in a header', 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\x01b\r\n\r\n'],
    ['a lower-case method', 'get /healthz HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['a byte over 0x7f in the path', 'GET /api/auth/\xff HTTP/1.1\r\nHost: x\r\n\r\n'],
  ])('%s is 400 invalid_request with a request id', async (_name, text) => {
    expect(shown(await send(text))).toEqual(invalid('The request is not valid HTTP'));
  });

  it('a body cut short by the client closing its side is 400 invalid_request', async () => {
    const text =
      'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nX-CSRF: 1\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{"username":"alice","pass';
    expect(shown(await send(text, true))).toEqual(invalid('The request is not valid HTTP'));
  });

  it('headers over the size limit are 400 invalid_request', async () => {
    expect(shown(await send(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: ${'a'.repeat(20_000)}\r\n\r\n`))).toEqual(
      invalid('The request headers are too large'),
    );
  });

  it('an HTTP/1.1 request without Host is 400 invalid_request (RFC 9112 §3.2); HTTP/1.0 needs none', async () => {
    expect(shown(await send('GET /healthz HTTP/1.1\r\n\r\n'))).toEqual(invalid('The request has no Host header'));
    expect((await send('GET /healthz HTTP/1.0\r\n\r\n'))?.status).toBe(200);
  });

  it('CONNECT is 400 invalid_request: the gateway is no proxy', async () => {
    expect(shown(await send('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n'))).toEqual(
      invalid('CONNECT is not supported: the gateway is not a proxy'),
    );
  });

  it('an Expect the server does not know is ignored, not answered 417', async () => {
    expect(shown(await send('GET /healthz HTTP/1.1\r\nHost: x\r\nExpect: foo\r\n\r\n'))).toEqual({
      status: 200,
      type: 'application/json; charset=utf-8',
      requestId: expect.stringMatching(UUID),
      body: { status: 'ok' },
    });
  });
});

describe('a static page asked for a range it does not have', () => {
  it.each(['/demo/', '/api/docs/swagger-ui.css'])(
    '%s answers the contract JSON, with none of the file headers left behind',
    async (path) => {
      const answer = await send(`GET ${path} HTTP/1.1\r\nHost: x\r\nRange: bytes=9-1\r\n\r\n`);
      expect(shown(answer)).toEqual({ ...invalid('The request is malformed'), requestId: expect.stringMatching(UUID) });
      expect(answer?.headers['content-range']).toBeUndefined();
    },
  );
});

describe('the gateway as the server entry point starts it', () => {
  let gateway: RunningGateway;
  let logs: CapturedLogs;
  beforeAll(async () => {
    const config = loadConfig({
      env: {
        NODE_ENV: 'test',
        AUTH_MODE: 'token',
        PORT: '0',
        KEYCLOAK_URL: idp.url,
        KEYCLOAK_CLIENT_SECRET: DEMO_CLIENT_SECRET,
        LOG_LEVEL: 'http',
      },
    });
    const requestContext = new RequestContext();
    logs = captureLogs(requestContext);
    gateway = await startGateway({ config, logger: logs.logger, requestContext, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await gateway.close(100);
  });

  it('answers malformed HTTP in the contract too, and logs the kind of fault, never the bytes', async () => {
    const secret = 'a-password-in-a-broken-request';
    const text = `POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 60\r\nTransfer-Encoding: chunked\r\n\r\n{"username":"alice","password":"${secret}"}`;
    const answer = await sendRaw(Number(new URL(gateway.url).port), Buffer.from(text, 'latin1'));
    expect(shown(answer)).toEqual(invalid('The request is not valid HTTP'));
    expect(logs.events('http.malformed_request')).toEqual([
      expect.objectContaining({
        requestId: answer?.headers['x-request-id'],
        reason: expect.stringMatching(/^HPE_/),
        status: 400,
      }),
    ]);
    expect(logs.text()).not.toContain(secret);
  });
});

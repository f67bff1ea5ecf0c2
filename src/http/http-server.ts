import { randomUUID } from 'node:crypto';
import { createServer, STATUS_CODES, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { ApiError } from '../errors/api-error.js';
import type { Logger } from '../observability/logger.js';

/** How long a client that sent CONNECT may keep the connection open after its answer. */
const CONNECT_CLOSE_MS = 5000;

/**
 * The HTTP server the gateway's app runs in. Node answers some requests itself, before any middleware sees them:
 * bytes that are not HTTP (two Content-Lengths, Content-Length with Transfer-Encoding, a control character in a
 * header, a body cut short), headers over Node's size limit, an HTTP/1.1 request without Host, an Expect it does not
 * know, and CONNECT (the connection just closes). Its answers are a bare status line: no contract body, no
 * X-Request-Id. Here each gets the contract's 400 invalid_request instead, and an unknown Expect goes to the app,
 * which ignores it as RFC 9110 allows.
 */
export function createHttpServer(handler: RequestListener, logger?: Logger): Server {
  const serve: RequestListener = (req, res) => {
    // RFC 9112 §3.2: a server MUST answer 400 to an HTTP/1.1 request without Host (Node's own check is off, below).
    if (req.httpVersion === '1.1' && req.headers.host === undefined) {
      const answer = contractAnswer('The request has no Host header', logger, 'missing_host');
      res.writeHead(answer.status, answer.headers).end(answer.body);
      return;
    }
    handler(req, res);
  };
  const server = createServer({ requireHostHeader: false }, serve);
  server.on('checkExpectation', serve);
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // Nobody is listening any more, or an answer to an earlier request on this connection is already on the wire:
    // writing now would corrupt it. Node's own handler makes the same two checks.
    if (err.code === 'ECONNRESET' || !socket.writable || answerStarted(socket)) {
      socket.destroy();
      return;
    }
    socket.end(contractAnswer(clientErrorMessage(err.code), logger, err.code ?? 'unknown').raw);
  });
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    // Node hands the connection over unread and no longer watches it: drop what the client sends, so that its close
    // is seen and ends ours, and end it ourselves if the client keeps it open.
    const connection = socket as Socket;
    connection.on('error', () => undefined);
    connection.resume();
    connection.setTimeout(CONNECT_CLOSE_MS, () => connection.destroy());
    connection.end(contractAnswer('CONNECT is not supported: the gateway is not a proxy', logger, 'connect').raw);
  });
  return server;
}

function clientErrorMessage(code: string | undefined): string {
  if (code === 'HPE_HEADER_OVERFLOW') return 'The request headers are too large';
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'The request was not received in time';
  return 'The request is not valid HTTP';
}

/** `socket._httpMessage` is the response Node is writing on this connection (what its own clientError handler reads). */
function answerStarted(socket: Duplex): boolean {
  const pending = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  return pending?.headersSent === true;
}

interface ContractAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The whole answer as bytes, for a socket with no response object around it. */
  raw: Buffer;
}

function contractAnswer(message: string, logger: Logger | undefined, reason: string): ContractAnswer {
  const error = new ApiError('invalid_request', { message });
  const requestId = randomUUID();
  // The request's bytes are never logged: a malformed login still carries a password.
  logger?.http('malformed request', { event: 'http.malformed_request', requestId, reason, status: error.status });
  const body = JSON.stringify(error.toBody());
  const headers = {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'X-Request-Id': requestId,
    Connection: 'close',
  };
  const head = `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? ''}\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n`;
  return { status: error.status, headers, body, raw: Buffer.from(head + body, 'utf8') };
}

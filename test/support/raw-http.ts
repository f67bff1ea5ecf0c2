import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { Duplex } from 'node:stream';

export interface RawAnswer {
  status: number;
  /** Lower-case names; `set-cookie` as a list, repeated others joined with ", " (as Node's client shows them). */
  headers: IncomingHttpHeaders;
  /** Names and values as sent, alternating, so that duplicated headers stay visible. */
  rawHeaders: string[];
  body: Buffer;
}

export interface RawOptions {
  /** Loopback address to send from (127.0.0.2 is another client for the gateway's per-address limits). */
  localAddress?: string;
  /** The request was HEAD: its answer has no body whatever Content-Length says. */
  head?: boolean;
  /** Close our side once the bytes are written: a body cut short for good. */
  halfClose?: boolean;
  timeoutMs?: number;
}

/**
 * Sends bytes exactly as given (no client between the test and the wire to tidy them up) to 127.0.0.1:`port` and
 * reads the first answer with Node's own HTTP parser: the http client is handed a stream that drops the request it
 * would have written and delivers the server's bytes. Resolves undefined when the connection closes with no answer.
 */
export function sendRaw(port: number, bytes: Buffer, options: RawOptions = {}): Promise<RawAnswer | undefined> {
  const { localAddress, head = false, halfClose = false, timeoutMs = 15_000 } = options;
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', ...(localAddress ? { localAddress } : {}) });
    const transport = new Duplex({
      write: (_chunk, _encoding, callback) => callback(),
      read: () => undefined,
      destroy: (err, callback) => {
        socket.destroy();
        callback(err);
      },
    });
    socket.on('data', (chunk: Buffer) => transport.push(chunk));
    socket.on('end', () => transport.push(null));
    socket.on('close', () => transport.destroy());
    socket.on('error', () => transport.destroy());
    socket.on('connect', () => {
      socket.write(bytes);
      if (halfClose) socket.end();
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const done = (answer: RawAnswer | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const req = httpRequest({
      createConnection: () => transport,
      method: head ? 'HEAD' : 'GET',
      path: '/',
      setHost: false,
    });
    req.on('error', () => done(undefined));
    req.on('response', (res) => {
      // A server that could not read the method (a malformed request) may follow its answer with a body: not ours.
      if (head)
        return done({
          status: res.statusCode ?? 0,
          headers: res.headers,
          rawHeaders: res.rawHeaders,
          body: Buffer.alloc(0),
        });
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', () => done(undefined));
      res.on('end', () =>
        done({
          status: res.statusCode ?? 0,
          headers: res.headers,
          rawHeaders: res.rawHeaders,
          body: Buffer.concat(chunks),
        }),
      );
    });
    req.end();
  });
}

/** A well-formed HTTP/1.1 request, as a browser or a client library would send it. */
export function wellFormed(
  method: string,
  target: string,
  headers: Record<string, string> = {},
  body?: string,
): Buffer {
  const lines = [`${method} ${target} HTTP/1.1`, 'Host: localhost:3000', 'Connection: close'];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  if (body !== undefined) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body ?? ''}`, 'utf8');
}

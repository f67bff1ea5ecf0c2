import { connect } from 'node:net';

/**
 * Announces `declaredLength` bytes of body, sends only `body`, then closes its side of the connection: the server
 * sees the stream end mid-body (a client that went away). Resolves once the server has closed the connection too.
 */
export async function sendCutShort(
  serverUrl: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer,
  declaredLength: number,
): Promise<void> {
  const { hostname, port } = new URL(serverUrl);
  const head = [
    `POST ${path} HTTP/1.1`,
    `Host: ${hostname}:${port}`,
    `Content-Length: ${declaredLength}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    '',
    '',
  ].join('\r\n');
  const socket = connect(Number(port), hostname);
  socket.setTimeout(5000, () => socket.destroy());
  socket.on('error', () => undefined);
  socket.resume();
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.end(Buffer.concat([Buffer.from(head, 'latin1'), body]));
  await closed;
}

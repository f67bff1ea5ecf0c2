import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordingServer {
  url: string;
  /** Every request that reached the server, as "METHOD /path". */
  readonly requests: readonly string[];
  close(): Promise<void>;
}

/**
 * An attacker's web server: answers every request with the same JSON and remembers it was asked. A test points a
 * token's `jku` or `x5u` at it to prove the gateway never fetches keys a token names.
 */
export async function startRecordingServer(body: unknown): Promise<RecordingServer> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method ?? ''} ${req.url ?? ''}`);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

import { once } from 'node:events';
import { createServer } from 'node:net';

/** A loopback port free a moment ago (the kernel's choice), for a Keycloak that needs its port before it starts. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

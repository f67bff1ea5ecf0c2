import { once } from 'node:events';
import type { Server } from 'node:http';
import type { Express } from 'express';
import { createHttpServer } from '../../src/http/http-server.js';

export interface Listening {
  url: string;
  close(): Promise<void>;
}

/** Serves an app on an ephemeral loopback port, in the server the real gateway uses, for tests that need a URL. */
export async function listen(app: Express, wanted = 0): Promise<Listening> {
  const server: Server = createHttpServer(app).listen(wanted, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

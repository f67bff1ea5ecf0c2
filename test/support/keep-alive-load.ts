import { Client } from 'undici';

/** What became of one request a keep-alive client sent. */
export interface Outcome {
  /** When the client handed the request over (ms since the epoch). */
  startedAt: number;
  client: number;
  /** The HTTP answer, when one came back whole. */
  status?: number;
  connection?: string | undefined;
  body?: unknown;
  /** Otherwise the error's code (ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET, ...). */
  error?: string;
}

export interface KeepAliveLoad {
  /** Every outcome so far. */
  outcomes(): Outcome[];
  /** Resolves once every client has had `perClient` answers (false if the load ended first). */
  warmedUp(perClient: number): Promise<boolean>;
  /** Resolves once every client has stopped: on a refused connection, or at the deadline. */
  finished: Promise<void>;
  /** Stops the clients after their current request, and closes them. */
  stop(): Promise<void>;
}

/**
 * Clients that each keep one connection alive and send the next request as soon as the last was answered, as busy
 * callers behind a connection pool do. A client stops at its first refused connection (the server stopped taking
 * new ones) or at `deadlineMs`.
 */
export function keepAliveLoad(
  url: string,
  options: { clients: number; path: string; headers: Record<string, string>; deadlineMs: number },
): KeepAliveLoad {
  const outcomes: Outcome[] = [];
  let stopped = false;
  const deadline = Date.now() + options.deadlineMs;
  const clients = Array.from(
    { length: options.clients },
    () => new Client(url, { pipelining: 1, connectTimeout: 2000, headersTimeout: 5000, bodyTimeout: 5000 }),
  );

  async function run(client: Client, index: number): Promise<void> {
    while (!stopped && Date.now() < deadline) {
      const outcome: Outcome = { startedAt: Date.now(), client: index };
      outcomes.push(outcome);
      try {
        const res = await client.request({ path: options.path, method: 'GET', headers: options.headers });
        const text = await res.body.text();
        outcome.status = res.statusCode;
        outcome.connection = typeof res.headers.connection === 'string' ? res.headers.connection : undefined;
        outcome.body = JSON.parse(text) as unknown;
      } catch (err) {
        outcome.error = errorCode(err);
        if (outcome.error === 'ECONNREFUSED') return;
      }
    }
  }

  const finished = Promise.all(clients.map((client, i) => run(client, i))).then(() => undefined);
  async function warmedUp(perClient: number): Promise<boolean> {
    let ended = false;
    void finished.then(() => (ended = true));
    for (;;) {
      const counts = new Array<number>(options.clients).fill(0);
      for (const o of outcomes) if (o.status !== undefined) counts[o.client] = (counts[o.client] ?? 0) + 1;
      if (counts.every((count) => count >= perClient)) return true;
      if (ended) return false;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  return {
    outcomes: () => outcomes,
    warmedUp,
    finished,
    async stop() {
      stopped = true;
      await finished;
      await Promise.all(clients.map((client) => client.destroy()));
    },
  };
}

/** The most telling code on an error or its causes. */
function errorCode(err: unknown): string {
  let current: unknown = err;
  const codes: string[] = [];
  // Not instanceof Error: the errors of Node's own modules come from another realm than a test's.
  while (typeof current === 'object' && current !== null) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    current = (current as { cause?: unknown }).cause;
  }
  return (
    codes.find((code) => code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EPIPE') ??
    codes[0] ??
    String(err)
  );
}

import autocannon, { type Request } from 'autocannon';
import { Agent, request } from 'undici';
import { median } from './stats.js';

export interface LoadResult {
  /** Requests per second, mean over the run. */
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
  non2xx: number;
  /** CPU time per request, in µs, of the server under load, of the IdP behind it, and of the load generator. */
  cpuUs?: { server: number; idp?: number; loader: number };
  /** Time per request, in µs, the server and the IdP behind it spent ready to run but waiting for a CPU. */
  waitUs?: { server: number; idp?: number };
  /** Refresh grants the IdP saw during the run, where the scenario counts them (the service-token exchange). */
  refreshGrants?: number;
}

export interface LoadOptions {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** One body per request, used in order (refresh tokens are single use). */
  bodies?: string[];
  connections?: number;
  /** Seconds; ignored when `amount` is set. */
  duration?: number;
  amount?: number;
}

/** One autocannon run against a URL, reduced to the figures the report needs. */
export async function load(options: LoadOptions): Promise<LoadResult> {
  const bodies = options.bodies ? [...options.bodies] : undefined;
  const started = performance.now();
  const result = await autocannon({
    url: options.url,
    method: options.method ?? 'GET',
    headers: options.headers ?? {},
    ...(options.body ? { body: options.body } : {}),
    connections: options.connections ?? 20,
    ...(options.amount ? { amount: options.amount } : { duration: options.duration ?? 5 }),
    ...(bodies ? { requests: [{ setupRequest: (req: Request) => ({ ...req, body: bodies.shift() ?? '' }) }] } : {}),
  });
  const elapsedSeconds = (performance.now() - started) / 1000;
  return {
    // autocannon ends a run on its one-second sampling tick, so an amount-bounded run (a few seconds) is timed to the
    // second. There, throughput comes from the mean latency over a closed loop of N connections (Little's law).
    rps: options.amount
      ? ((options.connections ?? 20) * 1000) / result.latency.mean
      : result.requests.total / elapsedSeconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

export interface LatencyOptions {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** One body per request, in order; their number is the number of requests. */
  bodies: string[];
}

/**
 * One request at a time on one keep-alive connection, each timed to the microsecond: the latency a request sees when
 * nothing queues, which is what "added latency" means. (Under a saturating load, latency is queueing: connections ÷
 * throughput.) Returns the median in milliseconds; every answer must be 2xx.
 */
export async function medianLatency(options: LatencyOptions): Promise<number> {
  const dispatcher = new Agent({ connections: 1 });
  const times: number[] = [];
  try {
    for (const body of options.bodies) {
      const started = performance.now();
      const answer = await request(options.url, {
        method: options.method ?? 'POST',
        headers: options.headers ?? {},
        body,
        dispatcher,
      });
      await answer.body.dump();
      times.push(performance.now() - started);
      if (answer.statusCode < 200 || answer.statusCode > 299)
        throw new Error(`${options.url} answered ${answer.statusCode}`);
    }
  } finally {
    await dispatcher.close();
  }
  return median(times);
}

import { Pool } from 'undici';
import { median } from './stats.js';
import type { LoadResult } from './load.js';

export interface ClosedLoopOptions {
  url: string;
  headers: Record<string, string>;
  /** One state per loop (a refresh token, a username); the loops run side by side, each on a connection of its own. */
  states: string[];
  /** The request body for a loop's current state. */
  body: (state: string) => string;
  /** A loop's next state, from the answer to its last request (a refresh token: the one it was rotated to). */
  next: (answer: string, state: string) => string;
  /** Requests across all loops. */
  amount: number;
}

export interface ClosedLoopResult extends LoadResult {
  /** Each request's latency in ms, in the order they ended. */
  times: number[];
  /** The last state of each loop that got only 2xx answers. */
  states: string[];
}

/**
 * POST requests in closed loops, one request in flight per loop, where each loop's next request depends on the answer
 * to its last: a session refreshed again and again with the token its previous refresh rotated to (Keycloak refuses a
 * refresh token used before), or one user's logins one after another (Keycloak refuses a user's login while another
 * of the same user's is in progress). autocannon cannot do either: it resets a connection's context each time it loops
 * over its requests, and does not tie a request to a connection. A loop whose answer is not 2xx ends; the run counts it.
 */
export async function closedLoop(options: ClosedLoopOptions): Promise<ClosedLoopResult> {
  const url = new URL(options.url);
  const pool = new Pool(url.origin, { connections: options.states.length });
  const times: number[] = [];
  let remaining = options.amount;
  let errors = 0;
  let non2xx = 0;
  const loop = async (first: string): Promise<string | undefined> => {
    let state = first;
    while (remaining > 0) {
      remaining -= 1;
      const started = performance.now();
      try {
        const answer = await pool.request({
          path: url.pathname,
          method: 'POST',
          headers: options.headers,
          body: options.body(state),
        });
        const text = await answer.body.text();
        times.push(performance.now() - started);
        if (answer.statusCode < 200 || answer.statusCode > 299) {
          non2xx += 1;
          return undefined;
        }
        state = options.next(text, state);
      } catch {
        errors += 1;
        return undefined;
      }
    }
    return state;
  };
  const started = performance.now();
  let ends: (string | undefined)[];
  try {
    ends = await Promise.all(options.states.map(loop));
  } finally {
    await pool.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const sorted = [...times].sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 100) / 100;
  return {
    rps: times.length / seconds,
    p50: round(median(times)),
    p99: round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? Number.NaN),
    requests: times.length,
    errors,
    non2xx,
    times,
    states: ends.filter((s): s is string => s !== undefined),
  };
}

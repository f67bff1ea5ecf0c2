import { ApiError } from '../errors/api-error.js';

/** How long one store operation may take before the request fails with 503: well inside the one second promised. */
export const STORE_DEADLINE_MS = 500;

/**
 * The one translation of a failure to reach the shared store: 503, never a 401, because a client that hears
 * "unauthenticated" logs its user out for what is the gateway's own fault.
 */
export function storeUnavailable(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return new ApiError('session_store_unavailable', {
    cause: err,
    headers: { 'Retry-After': '1' },
    logFields: { store: 'redis' },
  });
}

/**
 * Runs a store call under a deadline, turning any failure into `session_store_unavailable`. The deadline is ours
 * because node-redis's own command timeout stops counting once a command is written: a Redis that accepts the bytes
 * and never answers (frozen, or a network black hole) would otherwise hold the request until TCP gives up.
 */
export async function guarded<T>(call: () => Promise<T>, deadlineMs = STORE_DEADLINE_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`the store did not answer within ${deadlineMs} ms`)), deadlineMs);
  });
  try {
    return await Promise.race([call(), deadline]);
  } catch (err) {
    throw storeUnavailable(err);
  } finally {
    clearTimeout(timer);
  }
}

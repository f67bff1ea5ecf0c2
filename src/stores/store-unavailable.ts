import { ApiError } from '../errors/api-error.js';

/**
 * The one translation of a failure to reach the shared store: 503, never a 401, because a client that hears
 * "unauthenticated" logs its user out for what is the gateway's own fault.
 */
export function storeUnavailable(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return new ApiError('session_store_unavailable', { cause: err, headers: { 'Retry-After': '1' }, logFields: { store: 'redis' } });
}

/** Runs a store call, turning any failure into `session_store_unavailable`. */
export async function guarded<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw storeUnavailable(err);
  }
}

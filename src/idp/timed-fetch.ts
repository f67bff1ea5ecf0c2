export type Fetch = typeof fetch;

/**
 * Wraps fetch so that every provider call gives up after `timeoutMs`, headers and body included. Node's fetch
 * would otherwise wait up to 300 s for headers, and a hanging provider would hang the gateway with it.
 */
export function timedFetch(base: Fetch, timeoutMs: number): Fetch {
  return (input, init = {}) => {
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
    return base(input, { ...init, signal });
  };
}

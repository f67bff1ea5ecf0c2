/**
 * A failure and its causes as one line, e.g. "ClientError: something went wrong <- TypeError: fetch failed <-
 * Error: connect ECONNREFUSED 127.0.0.1:8080": libraries wrap the interesting part several levels deep.
 */
export function describeError(err: unknown, maxDepth = 5): string {
  const parts: string[] = [];
  let current: unknown = err;
  while (current !== undefined && current !== null && parts.length < maxDepth) {
    // Duck-typed: errors raised inside fetch come from another realm and fail `instanceof Error` under test runners.
    const e = current as { name?: unknown; message?: unknown; code?: unknown; cause?: unknown };
    if (typeof e === 'object' && typeof e.message === 'string') {
      const name = typeof e.name === 'string' ? e.name : 'Error';
      parts.push(`${name}${typeof e.code === 'string' ? ` [${e.code}]` : ''}: ${e.message}`);
      current = e.cause;
    } else {
      parts.push(typeof current === 'object' ? 'non-error object' : String(current));
      break;
    }
  }
  return parts.join(' <- ');
}

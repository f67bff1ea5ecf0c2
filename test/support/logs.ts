import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/observability/logger.js';
import type { RequestContext } from '../../src/observability/request-context.js';

export interface CapturedLogs {
  logger: Logger;
  /** Every line written so far, parsed. */
  lines(): Record<string, unknown>[];
  /** Everything written so far, as written. */
  text(): string;
  events(name: string): Record<string, unknown>[];
}

/** A real winston logger whose JSON lines are kept for the test to read. */
export function captureLogs(requestContext?: RequestContext, level = 'silly'): CapturedLogs {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  const logger = createLogger({ level, stream, ...(requestContext ? { requestContext } : {}) });
  const text = () => chunks.join('');
  const lines = () =>
    text()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, text, lines, events: (name) => lines().filter((l) => l.event === name) };
}

import type { Writable } from 'node:stream';
import winston from 'winston';
import { redact } from './redact.js';
import type { RequestContext } from './request-context.js';

export type Logger = winston.Logger;

export interface LoggerOptions {
  level: string;
  /** Where the JSON lines go; stdout unless a test wants to read them. */
  stream?: Writable;
  requestContext?: RequestContext;
  /** Fixed fields on every line, e.g. `{ component: 'dev-idp' }`. */
  defaultMeta?: Record<string, unknown>;
}

/** JSON lines, one per event, with the request id when there is one and every secret masked. */
export function createLogger(options: LoggerOptions): Logger {
  // winston runs every format before its transports drop a line for its level: a quiet logger would still redact,
  // timestamp and serialise every info line of every request. Dropping such lines first makes them cost a comparison.
  const atLevel = winston.format((info) => (logger.isLevelEnabled(info.level) ? info : false));
  const addContext = winston.format((info) => {
    const requestId = options.requestContext?.requestId;
    if (requestId && info.requestId === undefined) info.requestId = requestId;
    return info;
  });
  const scrub = winston.format((info) => {
    const clean = redact({ ...info }) as Record<string, unknown>;
    for (const key of Object.keys(clean)) (info as Record<string, unknown>)[key] = clean[key];
    return info;
  });
  const logger: Logger = winston.createLogger({
    level: options.level,
    defaultMeta: options.defaultMeta,
    format: winston.format.combine(atLevel(), addContext(), scrub(), winston.format.timestamp(), winston.format.json()),
    transports: [new winston.transports.Stream({ stream: options.stream ?? process.stdout })],
  });
  return logger;
}

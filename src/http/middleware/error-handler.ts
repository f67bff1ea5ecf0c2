import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ApiError, isApiError } from '../../errors/api-error.js';
import { describeError } from '../../observability/describe-error.js';
import type { Logger } from '../../observability/logger.js';

const IDP_EVENTS: Partial<Record<string, string>> = {
  idp_unavailable: 'idp.unavailable',
  idp_timeout: 'idp.timeout',
  idp_error: 'idp.error',
  unauthorized_client: 'idp.client_rejected',
};

const REPRESENTATION_HEADERS = [
  'Content-Type',
  'Content-Range',
  'Content-Disposition',
  'Content-Encoding',
  'Content-Language',
  'Last-Modified',
  'ETag',
];

export const notFound: RequestHandler = (_req, _res, next) => next(new ApiError('not_found'));

/**
 * The one error middleware, registered last. Whatever went wrong leaves as the contract's `{error, message}`;
 * the original failure goes to the log with the request id, never to the client.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    const apiError = toApiError(err);
    const event = typeof res.locals.event === 'string' ? `${res.locals.event}.failed` : 'http.error';
    const level = apiError.status >= 500 ? 'error' : 'warn';
    logger.log(level, event, {
      event,
      error: apiError.code,
      status: apiError.status,
      method: req.method,
      path: req.path,
      ...(res.locals.logFields as Record<string, unknown> | undefined),
      ...apiError.logFields,
      cause: describeCause(apiError),
    });
    const idpEvent = IDP_EVENTS[apiError.code];
    if (idpEvent)
      logger.log(apiError.code === 'unauthorized_client' ? 'error' : 'warn', idpEvent, {
        event: idpEvent,
        ...apiError.logFields,
      });
    if (typeof apiError.logFields.securityEvent === 'string') {
      logger.warn(apiError.logFields.securityEvent, { event: apiError.logFields.securityEvent, path: req.path });
    }
    // A handler that failed after describing its own answer (serve-static on an unsatisfiable Range) leaves its
    // Content-Type and Content-Range behind; the contract's JSON replaces that answer whole.
    for (const name of REPRESENTATION_HEADERS) res.removeHeader(name);
    res.set(apiError.headers);
    res.set('Cache-Control', 'no-store');
    res.status(apiError.status).json(apiError.toBody());
  };
}

/**
 * Body-parser raises plain errors with `type`/`status`: the client's mistakes, not ours. Their messages may quote the
 * body (JSON.parse shows the characters around the fault, a password among them), so none of their text is kept:
 * the log learns only what kind of failure it was.
 */
function toApiError(err: unknown): ApiError {
  if (isApiError(err)) return err;
  const e = (err ?? {}) as { type?: unknown; status?: unknown; expose?: unknown; code?: unknown };
  const clientFault = typeof e.status === 'number' && e.status >= 400 && e.status < 500 && e.expose === true;
  if (typeof e.type !== 'string' && !clientFault) return new ApiError('internal_error', { cause: err });
  // A type is one of body-parser's fixed names; a code (zlib's Z_DATA_ERROR) is a constant too. Never the message.
  const logFields = {
    bodyError: typeof e.type === 'string' ? e.type : typeof e.code === 'string' ? e.code : 'unreadable',
  };
  switch (e.type) {
    case 'entity.too.large':
      return new ApiError('payload_too_large', { logFields });
    case 'entity.parse.failed':
      return new ApiError('invalid_request', { message: 'The body is not valid JSON', logFields });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ApiError('unsupported_media_type', { logFields });
    case 'parameters.too.many':
      return new ApiError('invalid_request', { message: 'The body has too many fields', logFields });
    case 'request.aborted':
    case 'request.size.invalid':
      return new ApiError('invalid_request', { message: 'The body was not received whole', logFields });
    default:
      return new ApiError(clientFault ? 'invalid_request' : 'internal_error', { logFields });
  }
}

function describeCause(error: ApiError): Record<string, string> | undefined {
  if (error.cause === undefined) return undefined;
  // The stack is useful for our own faults only; for the provider's, the chain of messages says it all.
  const described: Record<string, string> = { chain: describeError(error.cause) };
  if (error.code === 'internal_error' && error.cause instanceof Error && error.cause.stack)
    described.stack = error.cause.stack;
  return described;
}

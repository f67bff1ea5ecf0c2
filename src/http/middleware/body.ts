import express, { type RequestHandler } from 'express';
import { ApiError } from '../../errors/api-error.js';

// Generous next to any real login or refresh body, small enough that a flood of them costs little memory.
export const BODY_LIMIT = '64kb';
const SECRET_QUERY_PARAMETERS = [
  'password',
  'refresh_token',
  'access_token',
  'id_token',
  'client_secret',
  'token',
  'code_verifier',
];

/** Only JSON and form bodies are read; anything else with a body is refused before it is parsed. */
const requireKnownMediaType: RequestHandler = (req, _res, next) => {
  if (!hasBody(req.headers)) return next();
  if (req.is(['application/json', 'application/*+json', 'application/x-www-form-urlencoded'])) return next();
  next(new ApiError('unsupported_media_type'));
};

const jsonParser = express.json({ limit: BODY_LIMIT, strict: false, type: ['application/json', 'application/*+json'] });
const formParser = express.urlencoded({ limit: BODY_LIMIT, extended: false, parameterLimit: 50 });

/**
 * Reads a JSON or form body when there is one; requests without a body (every GET) pass in one check, so the read
 * path of the API pays nothing for the parsers.
 */
export const readBody: RequestHandler = (req, res, next) => {
  if (!hasBody(req.headers)) return next();
  requireKnownMediaType(req, res, (err?: unknown) => {
    if (err) return next(err);
    jsonParser(req, res, (jsonErr?: unknown) => (jsonErr ? next(jsonErr) : formParser(req, res, next)));
  });
};

/** Secrets do not travel in URLs: they end up in browser history, proxy logs and Referer headers. */
export const refuseSecretsInQuery: RequestHandler = (req, _res, next) => {
  const query = req.url.indexOf('?');
  if (query === -1) return next();
  const names = new URLSearchParams(req.url.slice(query + 1));
  const found = SECRET_QUERY_PARAMETERS.filter((name) => names.has(name));
  if (found.length === 0) return next();
  next(
    new ApiError('invalid_request', {
      message: 'Secrets must not be sent in the URL; send them in the request body',
      details: found.map((field) => ({ field, problem: 'not allowed in the query string' })),
    }),
  );
};

function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  return (
    headers['transfer-encoding'] !== undefined ||
    (headers['content-length'] !== undefined && headers['content-length'] !== '0')
  );
}

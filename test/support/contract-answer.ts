import { ERROR_CODES, type ErrorCode } from '../../src/contract/errors.js';
import type { RawAnswer } from './raw-http.js';

const REQUEST_ID = /^[\w.:-]{8,128}$/;
// The codes whose answer names fields (see ErrorBody).
const WITH_DETAILS: ReadonlySet<string> = new Set(['invalid_request', 'user_exists', 'weak_password']);
const STACK_TRACE = /\n\s+at |\bat [\w.<>]+ \(|node:internal|node_modules/;

/**
 * What is wrong with an answer, by the public contract: no 5xx (nothing is down), an X-Request-Id on every answer,
 * and every error exactly `{error, message}` with the status its code has (`details` only for invalid_request, user_exists and weak_password), no
 * stack trace and none of the secrets the request carried. An empty list means the answer keeps the contract.
 */
export function contractProblems(answer: RawAnswer, secrets: readonly string[], head = false): string[] {
  const problems: string[] = [];
  if (answer.status >= 500) problems.push(`status ${answer.status}`);
  const ids = rawValues(answer, 'x-request-id');
  if (ids.length !== 1 || !REQUEST_ID.test(ids[0] ?? '')) problems.push(`X-Request-Id ${JSON.stringify(ids)}`);
  const text = answer.body.toString('utf8');
  // The caller's own well-formed X-Request-Id comes back by design, whatever it says.
  const { 'x-request-id': _echoed, ...headers } = answer.headers;
  for (const secret of secrets)
    if (text.includes(secret) || JSON.stringify(headers).includes(secret))
      problems.push(`the secret ${secret} in the answer`);
  if (answer.status >= 400) {
    if (STACK_TRACE.test(text)) problems.push('a stack trace in the body');
    // An answer to HEAD has the headers of the one to GET, and no body.
    problems.push(...(head ? contentTypeProblems(answer) : errorBodyProblems(answer, text)));
  }
  return problems;
}

function contentTypeProblems(answer: RawAnswer): string[] {
  return answer.headers['content-type'] === 'application/json; charset=utf-8'
    ? []
    : [`Content-Type ${String(answer.headers['content-type'])}`];
}

function errorBodyProblems(answer: RawAnswer, text: string): string[] {
  const contentType = contentTypeProblems(answer);
  if (contentType.length > 0) return contentType;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return [`a body that is not JSON: ${JSON.stringify(text.slice(0, 200))}`];
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    return [`a body that is not an object: ${text.slice(0, 200)}`];
  const { error, message, details, ...rest } = body as Record<string, unknown>;
  const problems: string[] = [];
  if (Object.keys(rest).length > 0) problems.push(`unexpected fields ${Object.keys(rest).join(', ')}`);
  if (typeof error !== 'string' || !(error in ERROR_CODES))
    return [...problems, `error ${JSON.stringify(error)} is not a contract code`];
  if (ERROR_CODES[error as ErrorCode].status !== answer.status)
    problems.push(
      `${error} answered with ${answer.status}, the contract says ${ERROR_CODES[error as ErrorCode].status}`,
    );
  if (typeof message !== 'string' || message.length === 0) problems.push('no message');
  if (details !== undefined) {
    if (!WITH_DETAILS.has(error)) problems.push(`details on ${error}`);
    const wellFormed =
      Array.isArray(details) &&
      details.every(
        (d) =>
          d !== null &&
          typeof d === 'object' &&
          Object.keys(d).sort().join() === 'field,problem' &&
          Object.values(d).every((v) => typeof v === 'string'),
      );
    if (!wellFormed) problems.push(`details ${JSON.stringify(details).slice(0, 200)}`);
  }
  return problems;
}

function rawValues(answer: RawAnswer, name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < answer.rawHeaders.length; i += 2)
    if (answer.rawHeaders[i]?.toLowerCase() === name) values.push(answer.rawHeaders[i + 1] ?? '');
  return values;
}

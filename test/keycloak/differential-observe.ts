import { decodeJwt, decodeProtectedHeader } from 'jose';

/*
 * What the differential suite compares of an answer, flattened to `path -> description` lines so that two servers'
 * answers can be set side by side. Values that legitimately differ between two servers (ids, times, signatures, the
 * host part of URLs) are described by their kind; everything else is kept as it is, so a changed text shows.
 */

export type Observation = Record<string, string>;

/** One side of the comparison: a server holding a copy of the demo realm (both sides use the same realm name). */
export interface Target {
  readonly side: 'keycloak' | 'dev-idp';
  /** What KEYCLOAK_URL would be (scheme, host, port). */
  readonly url: string;
  readonly realm: string;
}

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

// Numbers that are times or counted down from a time: whether they are there and positive is what can be compared.
const TIMES = new Set(['exp', 'iat', 'auth_time', 'nbf', 'expires_in', 'refresh_expires_in', 'createdTimestamp']);
// Strings that are random or derived from keys in any server.
const OPAQUE = new Set(['jti', 'kid', 'at_hash', 'n', 'e', 'x5t', 'x5t#S256', 'x5c', 'clientHost', 'clientAddress']);
// Ids whose shape is the server's choice, their value not.
const IDS = new Set(['sid', 'session_state']);
const JWT_FIELDS = new Set(['access_token', 'refresh_token', 'id_token']);
// Space-separated sets, where order carries no meaning (RFC 6749 3.3).
const WORD_SETS = new Set(['scope']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The same realm at another host under another name: the host and the realm's name are not the server's choice. */
export function normalise(target: Target, text: string): string {
  const issuer = `${target.url}/realms/${target.realm}`;
  return text.split(issuer).join('<issuer>').split(target.url).join('<url>').split(target.realm).join('<realm>');
}

function describeString(target: Target, key: string, value: string): string {
  if (OPAQUE.has(key)) return 'string';
  if (UUID.test(value)) return '<uuid>';
  if (IDS.has(key)) return /^[\w-]+$/.test(value) ? `<${value.length} base64url characters>` : 'string';
  return JSON.stringify(normalise(target, value));
}

function describeNumber(key: string, value: number): string {
  if (TIMES.has(key)) return value > 0 ? 'positive number' : String(value);
  return String(value);
}

function lastKey(path: string): string {
  return /([^.[\]]+)\]?$/.exec(path)?.[1] ?? path;
}

/**
 * Flattens a JSON value into `out`. Arrays of strings are sets: each member is a line of its own (`path[member]`), so
 * one extra or missing member is one difference. Other arrays are described by their members' union.
 */
export function flatten(target: Target, value: unknown, path: string, out: Observation): Observation {
  const key = lastKey(path);
  if (value === null) out[path] = 'null';
  else if (typeof value === 'string' && WORD_SETS.has(key) && value !== '') {
    for (const word of value.split(' ')) out[`${path}[${describeString(target, key, word)}]`] = 'listed';
  } else if (typeof value === 'string') out[path] = JWT_FIELDS.has(key) ? 'string' : describeString(target, key, value);
  else if (typeof value === 'number') out[path] = describeNumber(key, value);
  else if (typeof value === 'boolean') out[path] = String(value);
  else if (Array.isArray(value)) {
    if (OPAQUE.has(key))
      out[path] =
        value.length === 0 ? 'empty array' : `array of ${[...new Set(value.map((v) => typeof v))].join(' or ')}`;
    else if (value.length > 0 && value.every((v) => typeof v === 'string')) {
      for (const member of value as string[]) out[`${path}[${describeString(target, key, member)}]`] = 'listed';
    } else if (value.length === 0) out[path] = 'empty array';
    else for (const member of value) flatten(target, member, `${path}[]`, out);
  } else if (typeof value === 'object') {
    for (const [name, member] of Object.entries(value)) flatten(target, member, path ? `${path}.${name}` : name, out);
  } else out[path] = typeof value;
  return out;
}

/** A JWT's header and claims (flattened), under `name.header` and `name.claims`. */
export function flattenJwt(target: Target, name: string, jwt: unknown, out: Observation): Observation {
  if (typeof jwt !== 'string') {
    out[name] = jwt === undefined ? 'absent' : typeof jwt;
    return out;
  }
  flatten(target, decodeProtectedHeader(jwt), `${name}.header`, out);
  flatten(target, decodeJwt(jwt), `${name}.claims`, out);
  return out;
}

export function parseJson(reply: Reply): unknown {
  try {
    return JSON.parse(reply.text);
  } catch {
    return undefined;
  }
}

/**
 * An HTTP answer: status, the named headers (lower case, URLs normalised) and the body: JSON flattened, otherwise
 * only whether there is one. The tokens of a token response are decoded and compared claim by claim.
 */
export function observe(
  target: Target,
  reply: Reply,
  headers: readonly string[] = ['content-type'],
  prefix = '',
): Observation {
  const out: Observation = { [`${prefix}status`]: String(reply.status) };
  for (const name of headers) {
    const value = reply.headers.get(name);
    out[`${prefix}${name}`] = value === null ? 'absent' : JSON.stringify(normalise(target, value));
  }
  const json = reply.text === '' ? undefined : parseJson(reply);
  if (reply.text === '') out[`${prefix}body`] = 'empty';
  else if (json === undefined) out[`${prefix}body`] = 'not JSON';
  else {
    flatten(target, json, `${prefix}body`, out);
    if (json !== null && typeof json === 'object' && !Array.isArray(json)) {
      const body = json as Record<string, unknown>;
      for (const field of JWT_FIELDS) {
        const jwt = body[field];
        if (typeof jwt === 'string') flattenJwt(target, `${prefix}${field}`, jwt, out);
      }
      // The ids differ, their relations must not: the response's session_state is the session of every token.
      if (typeof body.session_state === 'string') {
        for (const field of JWT_FIELDS) {
          if (typeof body[field] === 'string')
            out[`${prefix}${field}.claims.sid is session_state`] = String(
              decodeJwt(body[field] as string).sid === body.session_state,
            );
        }
      }
    }
  }
  return out;
}

export interface Difference {
  readonly path: string;
  readonly keycloak: string;
  readonly devIdp: string;
}

/** Every line on which the two observations disagree, in a stable order; a line one side lacks reads "absent". */
export function differences(keycloak: Observation, devIdp: Observation): Difference[] {
  const paths = [...new Set([...Object.keys(keycloak), ...Object.keys(devIdp)])].sort();
  return paths
    .map((path) => ({ path, keycloak: keycloak[path] ?? 'absent', devIdp: devIdp[path] ?? 'absent' }))
    .filter((d) => d.keycloak !== d.devIdp);
}

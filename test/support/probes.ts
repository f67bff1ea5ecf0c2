import type { RawAnswer } from './raw-http.js';
import { sendRaw, wellFormed } from './raw-http.js';
import { PROBE_USER } from './fuzz-parts.js';

/** Another loopback address than the fuzz's: the gateway counts the probes' client apart from the fuzz's. */
const PROBE_ADDRESS = '127.0.0.2';
const JSON_TYPE = { 'Content-Type': 'application/json' };
const CSRF = { 'X-CSRF': '1' };
const LOGIN = JSON.stringify({ username: PROBE_USER, password: `${PROBE_USER}-password` });

/** What two gateways must agree on, with what legitimately differs between two runs taken out. */
export interface NormalisedAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

const VARYING_HEADERS = new Set(['date', 'x-request-id', 'connection', 'keep-alive', 'content-length']);
const TOKEN_FIELDS = new Set(['access_token', 'refresh_token', 'id_token']);
const TIME_FIELDS = new Set(['expires_at', 'access_expires_at']);

export function normalise(answer: RawAnswer): NormalisedAnswer {
  const headers: NormalisedAnswer['headers'] = {};
  for (const [name, value] of Object.entries(answer.headers)) {
    if (VARYING_HEADERS.has(name)) continue;
    headers[name] = Array.isArray(value)
      ? value.map(normaliseHeader)
      : value === undefined
        ? undefined
        : normaliseHeader(value);
  }
  const text = answer.body.toString('utf8');
  const isJson = (answer.headers['content-type'] ?? '').startsWith('application/json');
  const body: unknown = isJson
    ? JSON.parse(text, (key, value: unknown) =>
        TOKEN_FIELDS.has(key) ? '<token>' : TIME_FIELDS.has(key) ? '<time>' : value,
      )
    : normaliseText(text);
  return { status: answer.status, headers, body };
}

function normaliseHeader(value: string): string {
  return normaliseText(value)
    .replace(/(authgate\.(?:sid|login))=[^;]+/g, '$1=<value>')
    .replace(/Expires=(?!Thu, 01 Jan 1970)[^;]+/g, 'Expires=<date>')
    .replace(/reset=\d+/g, 'reset=<seconds>');
}

/** The code flow's random values, in a Location header or the text of a redirect. */
function normaliseText(value: string): string {
  return value.replace(/\b(state|nonce|code_challenge)=[\w-]+/g, '$1=<random>');
}

async function probe(port: number, bytes: Buffer): Promise<RawAnswer> {
  const answer = await sendRaw(port, bytes, { localAddress: PROBE_ADDRESS });
  if (!answer) throw new Error(`no answer to the probe ${bytes.toString('utf8').split('\r\n')[0] ?? ''}`);
  return answer;
}

function cookieOf(answer: RawAnswer): string {
  const line = (answer.headers['set-cookie'] ?? []).find((c) => c.startsWith('authgate.sid='));
  return line?.split(';')[0] ?? '';
}

/** The same session-less requests in either mode. */
async function common(port: number, csrf: Record<string, string>): Promise<Record<string, RawAnswer>> {
  return {
    wrongPassword: await probe(
      port,
      wellFormed(
        'POST',
        '/api/auth/login',
        { ...JSON_TYPE, ...csrf },
        JSON.stringify({ username: PROBE_USER, password: 'wrong' }),
      ),
    ),
    malformedBody: await probe(port, wellFormed('POST', '/api/auth/login', { ...JSON_TYPE, ...csrf }, '{"username":')),
    notFound: await probe(port, wellFormed('GET', '/api/auth/nope')),
    healthz: await probe(port, wellFormed('GET', '/healthz')),
    readyz: await probe(port, wellFormed('GET', '/readyz')),
    openapi: await probe(port, wellFormed('GET', '/api/openapi.json')),
  };
}

/** Token mode: a login, /me with its token, a refresh, a logout, /me with the logged-out token, and the rest. */
export async function tokenModeProbes(port: number): Promise<Record<string, RawAnswer>> {
  const login = await probe(port, wellFormed('POST', '/api/auth/login', JSON_TYPE, LOGIN));
  const token = (JSON.parse(login.body.toString('utf8')) as { token: { access_token: string; refresh_token: string } })
    .token;
  const bearer = { Authorization: `Bearer ${token.access_token}` };
  const me = await probe(port, wellFormed('GET', '/api/auth/me', bearer));
  const refresh = await probe(
    port,
    wellFormed('POST', '/api/auth/refresh-token', JSON_TYPE, JSON.stringify({ refresh_token: token.refresh_token })),
  );
  const rotated = (JSON.parse(refresh.body.toString('utf8')) as { token: { refresh_token: string } }).token
    .refresh_token;
  const logout = await probe(
    port,
    wellFormed('POST', '/api/auth/logout', { ...JSON_TYPE, ...bearer }, JSON.stringify({ refresh_token: rotated })),
  );
  const meAfterLogout = await probe(port, wellFormed('GET', '/api/auth/me', bearer));
  return { login, me, refresh, logout, meAfterLogout, ...(await common(port, {})) };
}

/** Session mode: a login, /session, /me, a refresh, the code flow's start, a forged callback, a logout, and the rest. */
export async function sessionModeProbes(port: number): Promise<Record<string, RawAnswer>> {
  const login = await probe(port, wellFormed('POST', '/api/auth/login', { ...JSON_TYPE, ...CSRF }, LOGIN));
  const cookie = { Cookie: cookieOf(login) };
  return {
    login,
    session: await probe(port, wellFormed('GET', '/api/auth/session', cookie)),
    me: await probe(port, wellFormed('GET', '/api/auth/me', cookie)),
    refresh: await probe(port, wellFormed('POST', '/api/auth/refresh-token', { ...cookie, ...CSRF })),
    codeFlowStart: await probe(port, wellFormed('GET', '/api/auth/login?return_to=/app')),
    forgedCallback: await probe(
      port,
      wellFormed('GET', '/api/auth/callback?state=forged&code=forged', { Cookie: 'authgate.login=other' }),
    ),
    noCsrf: await probe(port, wellFormed('POST', '/api/auth/login', JSON_TYPE, LOGIN)),
    logout: await probe(port, wellFormed('POST', '/api/auth/logout', { ...cookie, ...CSRF })),
    sessionAfterLogout: await probe(port, wellFormed('GET', '/api/auth/session', cookie)),
    ...(await common(port, CSRF)),
  };
}

import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DevIdp } from '../../src/dev-idp/index.js';
import { buildTestGateway, type TestGateway } from '../support/gateway.js';
import { startTestIdp } from '../support/idp.js';
import { listen, type Listening } from '../support/listen.js';
import { closedPort } from '../support/ports.js';

// The canaries of no-secrets-in-logs and no-body-text-in-logs, for registration: a password made of letters no
// request id, timestamp or word holds, so any 4-character piece of it in a log line or an answer is a leak.
const ALPHABET = 'ghjklmnpqrstvwxzGHJKLMNPQRSTVWXZ';
const CANARY = Array.from({ length: 24 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
const FRAGMENTS = Array.from({ length: CANARY.length - 3 }, (_, i) => CANARY.slice(i, i + 4));
// The realm wants a digit: the canary alone is a weak password, with one digit a good one.
const GOOD = `${CANARY}7`;
const NAMES = { first_name: 'Can', last_name: 'Ary' };
const OPEN = { LOG_LEVEL: 'silly', REGISTRATION_ENABLED: 'true' };

interface Answer {
  status: number;
  text: string;
}

let idp: DevIdp;
let token: TestGateway;
let session: TestGateway;
const servers: Listening[] = [];

beforeAll(async () => {
  idp = await startTestIdp({ realm: (realm) => ({ ...realm, passwordPolicy: 'length(8) and digits(1)' }) });
  token = buildTestGateway({ idpUrl: idp.url, env: OPEN });
  session = buildTestGateway({ idpUrl: idp.url, mode: 'session', env: OPEN });
});

afterAll(async () => {
  for (const server of servers) await server.close();
  await idp.close();
});

/** Sent as the bytes given, over a socket of the gateway's own. */
async function post(gateway: TestGateway, body: string, type = 'application/json', csrf = true): Promise<Answer> {
  const server = await listen(gateway.app);
  servers.push(server);
  const res = await fetch(new URL('/api/auth/register', server.url), {
    method: 'POST',
    headers: { 'Content-Type': type, ...(csrf ? { 'X-CSRF': '1' } : {}) },
    body,
  });
  return { status: res.status, text: await res.text() };
}

function leaks(text: string): string[] {
  return text.split('\n').filter((line) => FRAGMENTS.some((f) => line.includes(f)));
}

let serial = 0;
function someone(): { username: string; email: string } {
  serial += 1;
  return { username: `canary-${serial}`, email: `canary-${serial}@example.test` };
}

describe('registration never puts the password into a log line or an answer', () => {
  it('through every outcome, in both modes, including refused and malformed bodies', async () => {
    const json = (fields: object) => JSON.stringify({ ...someone(), ...NAMES, ...fields });
    const body = json({ password: GOOD });
    const answers: Record<string, Answer> = {};
    for (const [name, gateway] of [
      ['token', token],
      ['session', session],
    ] as const) {
      answers[`${name}: registered`] = await post(gateway, json({ password: GOOD }));
      answers[`${name}: weak`] = await post(gateway, json({ password: CANARY }));
      answers[`${name}: taken`] = await post(gateway, json({ username: 'alice', password: GOOD }));
      answers[`${name}: bad email`] = await post(gateway, json({ email: `${CANARY}@`, password: GOOD }));
      answers[`${name}: bad username`] = await post(gateway, json({ username: `${CANARY} x`, password: GOOD }));
      answers[`${name}: bad name`] = await post(gateway, json({ last_name: `<${CANARY}>`, password: GOOD }));
      answers[`${name}: typed wrong`] = await post(gateway, `{"username":"x","password":{"${CANARY}":[1]}}`);
      answers[`${name}: form`] = await post(
        gateway,
        new URLSearchParams({ ...someone(), ...NAMES, password: GOOD }).toString(),
        'application/x-www-form-urlencoded',
      );
      answers[`${name}: unquoted`] = await post(gateway, `{"username":"x","email":"x@y.z","password":${CANARY}}`);
      for (let at = 1; at < body.length; at += 2)
        answers[`${name}: cut at ${at}`] = await post(gateway, body.slice(0, at));
    }
    answers['session: no csrf'] = await post(session, json({ password: GOOD }), 'application/json', false);
    const down = buildTestGateway({ idpUrl: `http://127.0.0.1:${await closedPort()}`, env: OPEN });
    answers['provider down'] = await post(down, json({ password: GOOD }));

    const statuses = Object.fromEntries(Object.entries(answers).map(([k, a]) => [k, a.status]));
    expect(statuses).toMatchObject({
      'token: registered': 201,
      'session: registered': 201,
      'token: weak': 400,
      'token: taken': 409,
      'token: bad email': 400,
      'token: bad username': 400,
      'token: bad name': 400,
      'token: typed wrong': 400,
      'token: form': 201,
      'token: unquoted': 400,
      'session: no csrf': 403,
      'provider down': 503,
    });
    expect(JSON.parse(answers['token: weak']?.text ?? '{}')).toMatchObject({ error: 'weak_password' });
    expect(Object.entries(answers).filter(([, a]) => leaks(a.text).length > 0)).toEqual([]);
    const logged = token.logs.text() + session.logs.text() + down.logs.text();
    // The refusals are logged (the route's, and the body parser's before the route runs), only not what was typed.
    expect(token.logs.events('auth.register.failed')).toHaveLength(6);
    expect(token.logs.events('http.error').length).toBeGreaterThan(body.length / 2 - 2);
    expect(leaks(logged)).toEqual([]);
    expect(logged).not.toMatch(/eyJ[\w-]{8,}\.[\w-]{8,}\./);
  });
});

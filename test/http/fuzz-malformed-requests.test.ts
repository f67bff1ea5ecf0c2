import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { DevIdp } from '../../src/dev-idp/index.js';
import { contractProblems } from '../support/contract-answer.js';
import { CANARY } from '../support/fuzz-parts.js';
import { describeRequest, fuzzRequest, type FuzzCredentials, type FuzzRequest } from '../support/fuzz-requests.js';
import { buildTestGateway } from '../support/gateway.js';
import { startTestIdp } from '../support/idp.js';
import { listen } from '../support/listen.js';
import { normalise, sessionModeProbes, tokenModeProbes } from '../support/probes.js';
import { sendRaw, wellFormed, type RawAnswer } from '../support/raw-http.js';

/*
 * Thousands of generated malformed requests, sent as raw bytes to a gateway of each mode in front of the real
 * development IdP. Every answer must keep the contract; afterwards the fuzzed gateway must answer a fixed set of
 * probes exactly as a fresh one does. A failure names its seed: FC_SEED=<seed> (and FC_PATH=<path>) replays it.
 */
const SEED = process.env.FC_SEED === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(process.env.FC_SEED);
const PATH = process.env.FC_PATH;
/** Requests sent at once: enough to keep both processes busy, few enough to leave the machine to the other suites. */
const BATCH = 20;
const REQUESTS_PER_MODE = 5_000;
/** Failed logins from the fuzz's address must not shut its logins out after the first hundred, hiding the checks behind. */
const ENV = { LOGIN_FAILURES_PER_IP: '1000000' };

let idp: DevIdp;
let sent = 0;
const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();

beforeAll(async () => {
  console.log(`fuzz seed ${SEED} (replay with FC_SEED=${SEED})`);
  idp = await startTestIdp();
});
afterAll(async () => {
  await idp.close();
});

async function credentialsFor(mode: 'token' | 'session', port: number): Promise<FuzzCredentials> {
  const login = await sendRaw(
    port,
    wellFormed(
      'POST',
      '/api/auth/login',
      { 'Content-Type': 'application/json', 'X-CSRF': '1' },
      JSON.stringify({ username: 'alice', password: 'alice-password' }),
    ),
  );
  expect(login?.status).toBe(200);
  if (mode === 'session') return { sessionCookie: (login?.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '' };
  const { token } = JSON.parse(login?.body.toString('utf8') ?? '{}') as {
    token: { access_token: string; refresh_token: string };
  };
  return { accessToken: token.access_token, refreshToken: token.refresh_token };
}

async function answerOf(port: number, request: FuzzRequest): Promise<string[]> {
  sent += 1;
  const answer: RawAnswer | undefined = await sendRaw(port, request.bytes, {
    head: request.head,
    halfClose: request.halfClose,
  });
  // A client that closed its side mid-request has ended the exchange: Node may drop the request unanswered (it does
  // when the request also asked for an Upgrade). Every other request gets an answer.
  if (!answer) return request.halfClose ? [] : ['the connection closed with no answer'];
  return contractProblems(answer, [CANARY], request.head).map(
    (problem) =>
      `${problem} (status ${answer.status}, body ${JSON.stringify(answer.body.toString('utf8').slice(0, 200))})`,
  );
}

async function fuzz(mode: 'token' | 'session'): Promise<void> {
  const gateway = buildTestGateway({ idpUrl: idp.url, mode, env: ENV });
  const server = await listen(gateway.app);
  const port = Number(new URL(server.url).port);
  try {
    const credentials = await credentialsFor(mode, port);
    const property = fc.asyncProperty(
      fc.array(fuzzRequest(credentials), { minLength: BATCH, maxLength: BATCH }),
      async (batch) => {
        const problems = await Promise.all(batch.map((request) => answerOf(port, request)));
        const failures = batch.flatMap((request, i) =>
          problems[i]?.length ? [`${describeRequest(request)}\n  -> ${problems[i]?.join('; ')}`] : [],
        );
        if (failures.length > 0)
          throw new Error(`${failures.length} answer(s) broke the contract:\n${failures.slice(0, 5).join('\n')}`);
      },
    );
    await fc.assert(property, {
      seed: SEED,
      numRuns: REQUESTS_PER_MODE / BATCH,
      endOnFailure: true,
      ...(PATH === undefined ? {} : { path: PATH }),
      asyncReporter: async (details) => {
        if (!details.failed) return;
        const replay = `FC_SEED=${details.seed} FC_PATH=${details.counterexamplePath ?? ''}`;
        throw new Error(
          `${mode} mode fuzz failed (replay with ${replay}):\n${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}`,
        );
      },
    });
    // Passwords, refresh tokens, bearer tokens and cookies the fuzz sent: none of them in any log line.
    expect(
      gateway.logs
        .text()
        .split('\n')
        .filter((line) => line.includes(CANARY)),
    ).toEqual([]);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    // The gateway lives, and answers exactly as one that never saw the fuzz.
    const fresh = buildTestGateway({ idpUrl: idp.url, mode, env: ENV });
    const freshServer = await listen(fresh.app);
    try {
      const probes = mode === 'token' ? tokenModeProbes : sessionModeProbes;
      const after = await probes(port);
      const baseline = await probes(Number(new URL(freshServer.url).port));
      for (const answer of Object.values(after)) expect(contractProblems(answer, [])).toEqual([]);
      expect(Object.fromEntries(Object.entries(after).map(([name, answer]) => [name, normalise(answer)]))).toEqual(
        Object.fromEntries(Object.entries(baseline).map(([name, answer]) => [name, normalise(answer)])),
      );
    } finally {
      await freshServer.close();
    }
  } finally {
    await server.close();
  }
}

describe('malformed requests, generated by the thousand', () => {
  it('never break the contract in token mode, and leave the gateway answering as a fresh one', async () => {
    await fuzz('token');
  }, 180_000);

  it('never break the contract in session mode, and leave the gateway answering as a fresh one', async () => {
    await fuzz('session');
  }, 180_000);

  it('were sent by the ten thousand', () => {
    expect(sent).toBeGreaterThanOrEqual(2 * REQUESTS_PER_MODE);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../src/support/project-root.js';
import { renderKeycloakSection, type KeycloakReport } from '../keycloak/report.js';
import { CAPACITY_CONNECTIONS } from '../round.js';
import { HASHED_USER } from './hashed-user.js';

// Keycloak's documented CPU sizing (concepts-memory-and-cpu-sizing): 120 refresh-token requests a second per vCPU.
const KEYCLOAK_REFRESHES_PER_VCPU = 120;

export interface Summary {
  rps: number;
  spread: number;
  p50: number;
  p99: number;
  cpuUs: { server?: number | undefined; idp?: number | undefined; loader?: number | undefined };
  /** Time waiting for a CPU per request (the scheduler's run delay); recorded by the Keycloak bench. */
  waitUs?: { server?: number | undefined; idp?: number | undefined };
  /** Refresh grants the IdP saw per 1,000 requests, over all rounds, where the scenario counts them. */
  grantsPer1000?: number | undefined;
}

export interface StormFigures {
  concurrency: number;
  refreshGrants: number;
  failures: number;
  statuses: Record<string, number>;
}

export interface Report {
  label?: string | undefined;
  rounds: number;
  seconds: number;
  singleUse: number;
  latencySamples: number;
  hashedLogins: number;
  pinned: boolean;
  machine: { cpus: number; cpu: string | undefined; memoryGiB: number; node: string };
  summary: Record<string, Summary>;
  ratios: {
    tokenMeToFloor: number;
    sessionMeToFloor: number;
    sessionMeToPeer: number;
    refresh: number;
    login: number;
    loginHashed: number;
  };
  latencies: Record<string, number[] | number> & { addedRefreshLatencyMs: number; addedRelayLatencyMs: number };
  storm: StormFigures;
  /** Absent from runs made before service tokens. */
  serviceTokenStorm?: StormFigures | undefined;
  memory: Record<string, number> | undefined;
}

// Read from node_modules directly: some packages do not export their package.json.
const version = (name: string) =>
  (JSON.parse(readFileSync(join(projectRoot(), 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
    .version;
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
const us = (value: number | undefined) =>
  value === undefined ? '' : value >= 10_000 ? `${(value / 1000).toFixed(0)} ms` : `${value} µs`;
const medianOf = (values: number[] | number | undefined) => {
  const list = Array.isArray(values) ? [...values].sort((a, b) => a - b) : [];
  return list.length === 0
    ? Number.NaN
    : (list[Math.floor((list.length - 1) / 2)]! + list[Math.ceil((list.length - 1) / 2)]!) / 2;
};

/**
 * docs/benchmarks.md: the table of one run, its ratios against the targets, and what the run was made on; then, when
 * given, the last run against a real Keycloak.
 */
export function renderReport(report: Report, keycloak?: KeycloakReport): string {
  const s = report.summary;
  const get = (name: string): Summary =>
    s[name] ?? { rps: Number.NaN, spread: 0, p50: Number.NaN, p99: Number.NaN, cpuUs: {} };
  const { ratios, latencies } = report;
  const gatewayRefreshMs = (get('refresh via gateway').cpuUs.server ?? Number.NaN) / 1000;
  const refreshShare =
    (get('refresh via gateway').cpuUs.server ?? Number.NaN) / (get('refresh via gateway').cpuUs.idp ?? Number.NaN);
  // How full the IdP's CPU (shared with the load generator there) was kept: CPU per request × requests per second.
  const idpCpuBusy = (name: string, idpRole: 'server' | 'idp') => {
    const r = get(name);
    return (((r.cpuUs[idpRole] ?? Number.NaN) + (r.cpuUs.loader ?? Number.NaN)) * r.rps) / 1e6;
  };
  const percent = (fraction: number) => (Number.isFinite(fraction) ? `${(fraction * 100).toFixed(0)} %` : 'n/a');
  const loginShare =
    (get('login via gateway, PBKDF2').cpuUs.server ?? Number.NaN) /
    (get('login via gateway, PBKDF2').cpuUs.idp ?? Number.NaN);
  const checks: [string, string, string, boolean][] = [
    ['token mode /me ÷ floor', ratios.tokenMeToFloor.toFixed(2), '≥ 0.6', ratios.tokenMeToFloor >= 0.6],
    ['session mode /me ÷ floor', ratios.sessionMeToFloor.toFixed(2), '≥ 0.5', ratios.sessionMeToFloor >= 0.5],
    [
      'session mode /me ÷ express-openid-connect /me',
      ratios.sessionMeToPeer.toFixed(2),
      '≥ 1.0',
      ratios.sessionMeToPeer >= 1,
    ],
    ['refresh via gateway ÷ direct', ratios.refresh.toFixed(2), '≥ 0.9', ratios.refresh >= 0.9],
    [
      'refresh: median latency added, one request at a time',
      `${latencies.addedRefreshLatencyMs.toFixed(2)} ms`,
      '≤ 1 ms',
      latencies.addedRefreshLatencyMs <= 1,
    ],
    [
      `login via gateway ÷ direct, ${HASHED_USER.algorithm} (${HASHED_USER.iterations.toLocaleString('en')} iterations)`,
      ratios.loginHashed.toFixed(2),
      '≥ 0.95',
      ratios.loginHashed >= 0.95,
    ],
    [
      'refresh storm: refresh grants the IdP saw',
      String(report.storm.refreshGrants),
      '= 1',
      report.storm.refreshGrants === 1,
    ],
    ['refresh storm: failed requests', String(report.storm.failures), '= 0', report.storm.failures === 0],
  ];
  const tokenStorm = report.serviceTokenStorm;
  if (tokenStorm)
    checks.push(
      [
        'service-token storm: refresh grants the IdP saw',
        String(tokenStorm.refreshGrants),
        '= 1',
        tokenStorm.refreshGrants === 1,
      ],
      ['service-token storm: failed requests', String(tokenStorm.failures), '= 0', tokenStorm.failures === 0],
    );
  const exchange = s['service-token exchange'];
  const answers = (storm: StormFigures) =>
    Object.entries(storm.statuses)
      .map(([status, n]) => `${n} × ${status}`)
      .join(', ');
  const rows = Object.entries(s).map(
    ([name, r]) =>
      `| ${name} | ${r.rps.toFixed(r.rps < 100 ? 1 : 0)} | ${r.spread.toFixed(0)} % | ${r.p50} | ${r.p99} | ${us(r.cpuUs.server)} | ${us(r.cpuUs.idp)} | ${us(r.cpuUs.loader)} |`,
  );
  const oneAtATime = ['refresh direct', 'refresh via gateway', 'refresh via bare relay']
    .map((name) => `${name} ${medianOf(latencies[name]).toFixed(2)} ms`)
    .join(', ');
  const m = report.memory;
  const run = report.label
    ? `\`npm run bench -- --label ${report.label}\` with every process on Node ${report.machine.node}`
    : '`npm run bench`';
  return `# Benchmarks${report.label ? ` (${report.label})` : ''}

Written by ${run} (code in \`bench/\`); do not edit by hand. Every figure comes from one run on one machine:
a warm-up round that is not recorded, then ${report.rounds} interleaved rounds (each round alternates which side of a
comparison goes first), each target in a process of its own on loopback. A ratio is the median of the rounds' own
ratios, both sides measured back to back. These machines are shared and noisy: read the ratios, not the absolute
numbers. CPU figures are the process's user + system time over a scenario divided by its requests (all threads).${
    keycloak
      ? `
The last section, [Against a real Keycloak](#against-a-real-keycloak), comes from a run of its own
(\`npm run bench -- --idp keycloak\`), on the day it names.`
      : ''
  }

## Results

| scenario | req/s (median) | spread (max − min) | p50 ms | p99 ms | CPU per request: server | IdP behind it | load generator |
|---|---|---|---|---|---|---|---|
${rows.join('\n')}

- **floor**: a bare Express ${version('express')} app answering a small JSON body.
- **token /me**: \`GET /api/auth/me\` with a bearer token, verified locally against the cached key set.
- **session /me**: \`GET /api/auth/me\` with a session in Redis (one GET, decrypt, answer).
- **peer /me**: express-openid-connect ${version('express-openid-connect')}, a \`requiresAuth()\` route, its sessions in the same Redis.
- **session, no cookie**: \`GET /api/auth/session\` without a cookie (no Redis call).${
    exchange
      ? `
- **service-token exchange**: \`POST /api/auth/service-token/refresh\` with one service token (\`agst_…\`, created
  each round through the gateway), on the gateway in session mode with Redis, as a fleet of bots would be served. The
  gateway answers from the access token it holds while that has enough life left and refreshes once when it has not:
  the IdP saw ${exchange.grantsPer1000 === undefined ? 'n/a' : exchange.grantsPer1000.toFixed(2)} refresh grants per 1,000 exchanges.`
      : ''
  }
- **refresh** and **login**: ${report.singleUse} requests each, ${CAPACITY_CONNECTIONS} connections, through the gateway in token mode and
  straight to the IdP's token endpoint (fresh single-use refresh tokens prepared beforehand). Every login is the same
  user's, many at once, so the gateways run with the login failure limits raised: attempts in flight count toward them.
  The other scenarios: ${report.seconds} s, 20 connections.
- **login …, PBKDF2**: ${report.hashedLogins} logins each, 4 connections, as a user whose password the IdP stores as
  Keycloak 24 (and every FIPS Keycloak) does by default: ${HASHED_USER.algorithm}, ${HASHED_USER.iterations.toLocaleString('en')} iterations.

## Targets

| check | measured | target | met |
|---|---|---|---|
${checks.map(([name, value, target, met]) => `| ${name} | ${value} | ${target} | ${met ? 'yes' : '**no**'} |`).join('\n')}

Also measured, without a target:
- Login with a plain password (the IdP compares digests, no hashing): via gateway ÷ direct ${ratios.login.toFixed(2)}. This is the
  gateway's share at its very largest, against an IdP that does almost nothing per login.
- The gateway's CPU per refresh is ${Number.isFinite(refreshShare) ? `${(refreshShare * 100).toFixed(0)} %` : 'n/a'} of the IdP's; per login with Keycloak's hashing,
  ${Number.isFinite(loginShare) ? `${(loginShare * 100).toFixed(1)} %` : 'n/a'}. Keycloak's sizing guide budgets one vCPU for ${KEYCLOAK_REFRESHES_PER_VCPU} refreshes a second
  (${(1000 / KEYCLOAK_REFRESHES_PER_VCPU).toFixed(1)} ms of CPU each, on its own hardware): the gateway's ${gatewayRefreshMs.toFixed(2)} ms per refresh here would be
  about ${((gatewayRefreshMs * KEYCLOAK_REFRESHES_PER_VCPU) / 10).toFixed(0)} % of it.
- One refresh at a time (${report.latencySamples} in a row each round, medians): ${oneAtATime}. A bare node:http relay adds
  ${latencies.addedRelayLatencyMs.toFixed(2)} ms on this machine: what one more hop costs here, whatever the gateway does.

Refresh storm: ${report.storm.concurrency} concurrent \`GET /api/auth/me\` on one session whose access token had expired,
split across two gateway instances sharing Redis, against an IdP issuing 2-second access tokens with refresh-token
rotation and reuse detection. Answers: ${answers(report.storm)}.${
    tokenStorm
      ? `
Service-token storm: ${tokenStorm.concurrency} concurrent \`POST /api/auth/service-token/refresh\` with one service token
whose access token had expired, on the same two instances and IdP. Answers: ${answers(tokenStorm)}.`
      : ''
  }

## How refresh and login are compared

${
  report.pinned
    ? `For the refresh and login scenarios the gateway (and the bare relay) run on a CPU of their own (taskset), and the IdP
and the load generator share the other, in both runs of each pair. The load generator's CPU is then charged to both
sides alike; put beside the gateway, it would be charged to the gateway's side only. In a deployment the gateway has
cores of its own in front of Keycloak and the clients are elsewhere: the question the ratio answers is whether the
gateway limits or slows the IdP's work, not how four processes share two cores. What the gateway itself spends per
request is in the CPU columns either way.`
    : `**This run could not pin processes to CPUs** (no taskset, or fewer than two CPUs): the gateway, the IdP and the load
generator shared every CPU, and the refresh and login ratios include the gateway's CPU taken from the IdP.`
}

Throughput is measured with ${CAPACITY_CONNECTIONS} connections in a closed loop, so under that load a request's latency is queueing
(connections ÷ throughput). The latency a hop adds is therefore measured with one request at a time, each timed to the
microsecond, beside a bare relay doing the same hop with nothing else.

${
  m
    ? `## Memory

A fresh gateway of each mode, its V8 old generation capped at ${m.heapCapMb} MB (\`--max-old-space-size\`), then ${(m.logins ?? 0).toLocaleString('en')} logins
at 20 connections. RSS under load grows to a high-water mark whether or not anything leaks; with the cap, a leak of more
than ${m.heapCapMb} MB over the run (about ${(((m.heapCapMb ?? 0) * 1024) / (m.logins || 1)).toFixed(1)} KB a login) would have ended the process and failed the run.

| | fresh | after ${(m.logins ?? 0).toLocaleString('en')} logins |
|---|---|---|
| gateway RSS, token mode | ${mb(m.tokenRssBefore ?? 0)} | ${mb(m.tokenRssAfter ?? 0)} |
| gateway RSS, session mode (Redis) | ${mb(m.sessionRssBefore ?? 0)} | ${mb(m.sessionRssAfter ?? 0)} |

Redis holds ${m.redisBytesPerSession} bytes per session (\`MEMORY USAGE\` of one encrypted session key).
`
    : ''
}
## Where a target is missed, and what was done

Profiles come from \`BENCH_CPU_PROF=<dir> npm run bench\` (a V8 CPU profile of every target process, for a flame graph in
Chrome DevTools or speedscope). Before and after, same harness and machine:

| change | before | after |
|---|---|---|
| token /me verified the JWT signature on every request; verified tokens are now remembered until they expire (bounded, 10,000) | 0.42 × floor | 0.67–0.77 × floor across runs |
| GET requests skipped the body parsers in one check, the access log costs one comparison when off, no ETag on no-store JSON | /healthz 0.55 × floor | /healthz ≈ 0.66 × floor |
| session /me: the AuthState kept as one string (express-session JSON-hashes the whole session two or three times a request), the unused ID token no longer stored, no per-command AbortSignal in node-redis, the API router ahead of the docs and health routers, helmet's headers worked out once and set in one call, CORS skipped for requests without an Origin | 0.34 × floor (0.80 × peer) | 0.37–0.41 × floor (0.87–0.92 × peer) across runs |
| refresh and login: calls to the IdP on undici's \`request\` instead of Node's fetch (WHATWG streams and two AbortSignals per call), openid-client's own per-call timeout signal dropped (the gateway's deadline stays), winston no longer formats the info lines it then drops at level warn | gateway CPU per refresh 2.1–2.6 ms, per login 2.8–3.1 ms | 1.1–1.7 ms per refresh, 1.4–2.0 ms per login |
| session /me: express-session hashes the session's version instead of its tokens (\`SessionAuth\`), the stored session is parsed once instead of twice, the JSON routes come before the code-flow router, one middleware layer less. Measured with \`npm run bench:compare -- b7faa7d\` (4 interleaved rounds) | gateway CPU per request 205 µs (rounds 193–207) | 162 µs (142–165) |
| session /me: \`GET /me\` and \`GET /session\` read the session without express-session (\`SessionReader\`: the same cookie, its signature checked with cookie-signature under the same key, the same store); login, logout, refresh and the code flow keep express-session. Measured with \`npm run bench:compare -- 2cdc330\` (4 interleaved rounds, on a day this machine ran about half as fast as in the run above) | gateway CPU per request 378 µs (rounds 359–446), 2969 req/s | 260 µs (228–311), 4304 req/s |
| refresh and login: the provider's answers, already in memory, are read from there (\`BufferedResponse\`, still a Response to openid-client and jose) instead of through the WHATWG body stream a standard Response wraps them in. Measured alone, and in a CPU profile of 4,500 refreshes through the gateway on Node 20; \`npm run bench:compare -- 6165c2f\` stayed inside its noise (the untouched session /me moved 6 % on Node 20 and 26 % on Node 24 in the same runs) | building and reading one answer: 65 µs on Node 20, 22–29 µs on Node 24; Node's bundled undici and web streams about 9 % of the gateway's profile | 10 µs on Node 20, 8 µs on Node 24; about 3 % |
| session /me: the read path remembers, per signed cookie it has checked (bounded, 5,000), the session id and the session without its tokens, with a fingerprint of the stored value (its version, length and GCM tag); Redis is still read every time, and only a stored value identical to the one seen last skips the HMAC check, the decryption and the parse. Measured with \`npm run bench:compare -- f7ad41e\` (4 interleaved rounds, a day this machine ran about half as fast as the runs above) | Node 24: gateway CPU per request 180 µs (rounds 116–209), 5721 req/s; Node 20: 500 µs (445–724), 2334 req/s | Node 24: 144 µs (124–180), 7117 req/s; Node 20: 478 µs (312–594), 2273 req/s (inside that run's noise) |
| every answer: helmet runs on every response again instead of replaying headers worked out once at start-up (issue 15: a workaround stays only with a measured win). Measured alone, side by side (\`npx tsx bench/micro/security-headers.ts\`, 15 alternating rounds on Node 20 and 24) | replay: about 4 µs per API response | helmet: the same within the rounds' noise (median difference 0.0 µs); docs pages about 1 µs more |

What is left, from the profiles and the CPU figures above:
- **session /me**: before the read path it sat on the target's line (0.45–0.51 × floor in the clean-clone runs of the
  previous change). Its profile then: garbage collection about 14 % of the CPU, writing the response about 12 % (as in
  the floor), express-session about 15 % (the signed-cookie HMAC and its SHA-1 comparison, the \`on-headers\` wrapper,
  building the Session and Cookie objects, hashing the session twice), decrypting and parsing the stored session about
  7 %, node-redis about 3 %. The read routes then stopped going through express-session, which never wrote anything on
  them. On Node 24 the profile of what was left showed the cookie's HMAC check about 11 % and decrypting and parsing the
  stored session about 19 %; a cookie seen before now skips both while its stored session is unchanged. What is left
  is the Redis round trip (a socket write and a read for each batch of commands), the response (writing it is about a
  sixth of the profile, as in the floor) and Express's router and middleware; this run measured ${ratios.sessionMeToFloor.toFixed(2)} × floor.
- **refresh and login**: the gateway parses the request, calls the IdP through openid-client, checks the answer and
  writes it back, at about the CPU per request this IdP spends on the whole grant. In the runs through the gateway the
  IdP's CPU, shared with the load generator, is not kept full (CPU per request × throughput: ${percent(idpCpuBusy('refresh via gateway', 'idp'))} for refresh
  through the gateway, ${percent(idpCpuBusy('refresh direct', 'server'))} direct; above 100 % is the estimate's own error, since a fixed-count run's throughput
  comes from its mean latency). The gateway adds a stage to every request's round trip, and on two cores that costs
  throughput against an IdP this cheap. Against Keycloak, which its sizing guide budgets at several times this IdP's
  CPU per refresh, the gateway's share would be small (see "Also measured" above${keycloak ? ', and as measured in [Against a real Keycloak](#against-a-real-keycloak)' : ''}). One effect weighs on the ratio:
  in each round the gateway has been idle for half a minute (the /me scenarios) when the refresh pair starts, and
  after such a pause its CPU per refresh over the next 1,500 is nearly twice what it is without one. In side runs
  with only token /me before the pair, the ratio was 0.96 without the pause and 0.71–0.73 with 25 s of idling added.
  Switching off V8's memory reducer, which shrinks an idle process's heap (\`node --no-memory-reducer\`), gave the
  gateway 390–570 µs per refresh instead of 650–810 in those paused runs, and a ratio of 0.83 (login 0.91). Repeated
  later on a day this machine ran about half as fast, the paused runs showed no clear difference with that flag, with
  bytecode flushing off, or with a larger young generation, and the IdP's own CPU per refresh rose after the pause as
  well; so the memory reducer is a part of the effect at most, and its cause is not settled. The gateway runs here
  with V8's defaults, as \`npm start\` runs it.
- **added latency**: on these machines one more loopback hop costs what the bare relay shows; the gateway's own
  processing comes on top of that.

## What the IdP costs here

The IdP is the embedded development IdP. For the plain-password user it compares SHA-256 digests, with none of
Keycloak's deliberate hashing cost (Keycloak spends 100 ms or more per login hashing the password). For the PBKDF2 user
it derives the key exactly as Keycloak checks a PBKDF2 credential from a realm export, at the same cost: the row
\`login direct, PBKDF2\` shows what that costs the IdP per login on this machine. Keycloak 25+ uses Argon2id instead, of
similar cost by design. Refresh has no such deliberate cost; the dev IdP signs two RS256 tokens per refresh from memory.

## Machine

${report.machine.cpus} × ${report.machine.cpu ?? 'unknown CPU'}, ${report.machine.memoryGiB} GiB, Node ${report.machine.node}, express ${version('express')},
express-session ${version('express-session')}, connect-redis ${version('connect-redis')}, redis (client) ${version('redis')}, undici ${version('undici')},
openid-client ${version('openid-client')}, autocannon ${version('autocannon')}.
${keycloak ? `\n${renderKeycloakSection(keycloak)}` : ''}`;
}

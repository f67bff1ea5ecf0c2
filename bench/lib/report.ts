import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../src/project-root.js';

interface Summary {
  rps: number;
  spread: number;
  p50: number;
  p99: number;
}

export interface Report {
  rounds: number;
  seconds: number;
  singleUse: number;
  machine: { cpus: number; cpu: string | undefined; memoryGiB: number; node: string };
  summary: Record<string, Summary>;
  storm: { concurrency: number; refreshGrants: number; failures: number; statuses: Record<string, number> };
  memory: Record<string, number> | undefined;
}

// Read from node_modules directly: some packages do not export their package.json.
const version = (name: string) => (JSON.parse(readFileSync(join(projectRoot(), 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

/** docs/benchmarks.md: the table of one run, its ratios against the targets, and what the run was made on. */
export function renderReport(report: Report): string {
  const s = report.summary;
  const get = (name: string): Summary => s[name] ?? { rps: Number.NaN, spread: 0, p50: Number.NaN, p99: Number.NaN };
  const ratio = (a: string, b: string) => get(a).rps / get(b).rps;
  const checks: [string, string, string, boolean][] = [
    ['token mode /me ÷ floor', ratio('token /me', 'floor').toFixed(2), '≥ 0.6', ratio('token /me', 'floor') >= 0.6],
    ['session mode /me ÷ floor', ratio('session /me', 'floor').toFixed(2), '≥ 0.5', ratio('session /me', 'floor') >= 0.5],
    ['session mode /me ÷ express-openid-connect /me', ratio('session /me', 'peer /me').toFixed(2), '≥ 1.0', ratio('session /me', 'peer /me') >= 1],
    ['refresh via gateway ÷ direct', ratio('refresh via gateway', 'refresh direct').toFixed(2), '≥ 0.9', ratio('refresh via gateway', 'refresh direct') >= 0.9],
    [
      'refresh: added median latency',
      `${(get('refresh via gateway').p50 - get('refresh direct').p50).toFixed(1)} ms`,
      '≤ 1 ms',
      get('refresh via gateway').p50 - get('refresh direct').p50 <= 1,
    ],
    ['login via gateway ÷ direct', ratio('login via gateway', 'login direct').toFixed(2), '≥ 0.95', ratio('login via gateway', 'login direct') >= 0.95],
    ['refresh storm: refresh grants the IdP saw', String(report.storm.refreshGrants), '= 1', report.storm.refreshGrants === 1],
    ['refresh storm: failed requests', String(report.storm.failures), '= 0', report.storm.failures === 0],
  ];
  const rows = Object.entries(s).map(([name, r]) => `| ${name} | ${r.rps.toFixed(0)} | ${r.spread.toFixed(0)} % | ${r.p50} | ${r.p99} |`);
  const m = report.memory;
  return `# Benchmarks

Written by \`npm run bench\` (code in \`bench/\`); do not edit by hand. Every figure comes from one run on one machine:
the scenarios ran in ${report.rounds} interleaved rounds, each target in a process of its own on loopback, and the ratios
compare medians measured side by side. These machines are shared and noisy: read the ratios, not the absolute numbers.

## Results

| scenario | req/s (median) | spread (max − min) | p50 ms | p99 ms |
|---|---|---|---|---|
${rows.join('\n')}

- **floor**: a bare Express ${version('express')} app answering a small JSON body.
- **token /me**: \`GET /api/auth/me\` with a bearer token, verified locally against the cached key set.
- **session /me**: \`GET /api/auth/me\` with a session in Redis (one GET, decrypt, answer).
- **peer /me**: express-openid-connect ${version('express-openid-connect')}, a \`requiresAuth()\` route, its sessions in the same Redis.
- **session, no cookie**: \`GET /api/auth/session\` without a cookie (no Redis call).
- **refresh** and **login**: ${report.singleUse} requests each (fresh single-use refresh tokens prepared beforehand), through
  the gateway in token mode and straight to the IdP's token endpoint, 10 connections. The other scenarios: ${report.seconds} s,
  20 connections.

## Targets

| check | measured | target | met |
|---|---|---|---|
${checks.map(([name, value, target, met]) => `| ${name} | ${value} | ${target} | ${met ? 'yes' : '**no**'} |`).join('\n')}

Refresh storm: ${report.storm.concurrency} concurrent \`GET /api/auth/me\` on one session whose access token had expired,
split across two gateway instances sharing Redis, against an IdP issuing 2-second access tokens with refresh-token
rotation and reuse detection. Answers: ${Object.entries(report.storm.statuses).map(([status, n]) => `${n} × ${status}`).join(', ')}.

${
  m
    ? `## Memory

| | after the timed rounds | after 20,000 more logins |
|---|---|---|
| gateway RSS, token mode | ${mb(m.tokenRssBefore ?? 0)} | ${mb(m.tokenRssAfter ?? 0)} |
| gateway RSS, session mode (Redis) | ${mb(m.sessionRssBefore ?? 0)} | ${mb(m.sessionRssAfter ?? 0)} |

Redis holds ${m.redisBytesPerSession} bytes per session (\`MEMORY USAGE\` of one encrypted session key).
`
    : ''
}
## Where a target is missed, and what was done

Profiles come from \`BENCH_CPU_PROF=<dir> npm run bench\` (a V8 CPU profile of every target process, for a flame graph in
Chrome DevTools or speedscope). Before and after, same harness and machine, 20 connections, ratios against the floor:

| change | before | after |
|---|---|---|
| token /me verified the JWT signature on every request; verified tokens are now remembered until they expire (bounded, 10,000) | 0.42 | 0.67–0.77 across runs |
| GET requests skipped the body parsers in one check, the access log costs one comparison when off, no ETag on no-store JSON | /healthz 0.55 | /healthz ≈ 0.66 |
| session /me: the AuthState kept as one string (express-session JSON-hashes the whole session two or three times a request), the unused ID token no longer stored, no per-command AbortSignal in node-redis, the API router ahead of the docs and health routers, helmet's headers worked out once and set in one call, CORS skipped for requests without an Origin | 0.34 (0.80 × peer) | 0.37–0.41 (0.87–0.92 × peer) across runs |

What is left, from the profiles:
- **session /me** spends its time in express-session itself (hashing the session to detect changes, the signed-cookie
  HMAC, its \`res.end\` wrapper: about 15 % of the CPU together), Express's router, the AES-GCM decryption, the Redis
  round trip, the response's security headers (which the floor and express-openid-connect do not send) and garbage
  collection. express-openid-connect does not hash its session or encrypt its store entries. Closing the rest means
  replacing express-session on the read path, which the design asked to keep; it is left as an open question.
- **refresh and login** through the gateway are measured against an IdP whose own work is a fraction of a millisecond
  (no password hashing, tokens from memory). The gateway's share (about 1.3 ms of CPU per refresh: Node's fetch
  (undici), openid-client's response checks, JSON) is then most of the total, and the three processes share two cores.
  In front of Keycloak (8 ms of CPU per refresh, 67 ms per login, per its sizing guide) the same share is a few per
  cent. The ratio here is an upper bound on the gateway's overhead, not a forecast.
- **RSS** after 20,000 logins is a high-water mark, not a leak: repeating the session-mode logins in one process with
  forced garbage collection kept the heap flat (the growth was the test's own captured log lines and the embedded
  IdP's sessions), while RSS stayed at the level V8 and the allocator had reached.

## What the IdP costs here

The IdP is the embedded development IdP: it compares plain passwords, with none of Keycloak's deliberate hashing cost
(Keycloak spends 100 ms or more per login hashing the password). A login is therefore far cheaper here than at
Keycloak, and the gateway's share of a login looks larger than it would in front of a real Keycloak.

## Machine

${report.machine.cpus} × ${report.machine.cpu ?? 'unknown CPU'}, ${report.machine.memoryGiB} GiB, Node ${report.machine.node}, express ${version('express')},
express-session ${version('express-session')}, connect-redis ${version('connect-redis')}, redis (client) ${version('redis')}, autocannon ${version('autocannon')}.
`;
}

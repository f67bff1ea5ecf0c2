// npm run bench -- --idp keycloak: the gateway in front of a real Keycloak, against Keycloak called directly, in
// interleaved rounds with every process's CPU per request. `--quick` checks only correctness figures (no timing).
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../src/support/project-root.js';
import type { KeycloakTestAdmin } from '../../test/keycloak/admin-api.js';
import { closedPort } from '../../test/support/ports.js';
import { BENCHMARKS_DOC, writeBenchmarksDoc } from '../lib/docs.js';
import type { LoadResult } from '../lib/load.js';
import { GATEWAY, pin, startTarget, type Target } from '../lib/processes.js';
import { CAPACITY_CONNECTIONS, CLIENT } from '../round.js';
import { keycloakFigures, type Recorded } from './figures.js';
import { benchKeycloak } from './keycloak-target.js';
import { KEYCLOAK_TARGETS, type KeycloakReport } from './report.js';
import {
  KeycloakRound,
  LOGIN_CONNECTIONS,
  LOGIN_USERS,
  type KeycloakRoundSettings,
  type KeycloakSink,
} from './round.js';

// Users of the bench's own, taking turns to log in (see LOGIN_USERS), every one with this password.
const USERS = Array.from({ length: LOGIN_USERS }, (_, i) => `bench-user-${i + 1}`);
const PASSWORD = 'bench-user-password';
// Many short rounds rather than a few long ones: on a shared machine the noise comes and goes, and each round's two
// sides, measured back to back, see the same part of it.
const ROUNDS = 7;
const ROUND: KeycloakRoundSettings = { refreshes: 1000, logins: 80, latencySamples: 100 };
const QUICK: KeycloakRoundSettings = {
  refreshes: 2 * CAPACITY_CONNECTIONS,
  logins: 2 * LOGIN_CONNECTIONS,
  latencySamples: 5,
};
const WARM_UP: KeycloakRoundSettings = { refreshes: 2000, logins: 100, latencySamples: 50 };
const MIN_WARM_UP = 3;
const MAX_WARM_UP = 6;
/** Warm: Keycloak's CPU per refresh fell by less than this fraction from one warm-up round to the next. */
const WARM = 0.1;

const say = (line: string) => process.stdout.write(`bench: ${line}\n`);

export async function runKeycloakBench(
  argument: (name: string) => string | undefined,
  quick: boolean,
): Promise<number> {
  const rounds = quick ? 1 : Number(argument('--rounds') ?? ROUNDS);
  const settings = quick ? QUICK : ROUND;
  const targets: Target[] = [];
  let cleanUp: (() => Promise<void>) | undefined;
  // The machine's load from everything else, before the bench starts anything of its own.
  const loadAtStart = loadavg();
  try {
    const keycloak = await benchKeycloak(say);
    targets.push(keycloak.target);
    // A realm of the bench's own, so that its users, sessions and lockouts meet no one else's (and a shared Keycloak's
    // other realms are left alone); deleted at the end.
    const realmName = `authgate-bench-${Date.now().toString(36)}`;
    const realm = await keycloak.admin.importDemoRealm(realmName);
    cleanUp = () => keycloak.admin.deleteRealm(realmName);
    const userIds = await Promise.all(USERS.map((username) => realm.createUser(username, PASSWORD)));
    const hash = await passwordHash(keycloak.admin, realmName, userIds[0] ?? '');

    const [gatewayPort, relayPort] = (await Promise.all([closedPort(), closedPort()])) as [number, number];
    const gateway = await startTarget('gateway (token mode)', GATEWAY, gatewayPort, {
      KEYCLOAK_URL: keycloak.target.url,
      KEYCLOAK_REALM: realmName,
      KEYCLOAK_CLIENT_SECRET: CLIENT.client_secret,
      AUTH_MODE: 'token',
      LOG_LEVEL: 'warn',
      // As for the development IdP: many logins from one address, at once.
      LOGIN_FAILURES_PER_IP: '1000000',
      LOGIN_FAILURES_PER_USER: '100000',
      // Keycloak queues logins behind its password hashing: on a busy machine a login waits seconds, not a failure.
      IDP_TIMEOUT_MS: '30000',
    });
    targets.push(gateway);
    const relay = await startTarget('bare relay', 'bench/targets/relay.ts', relayPort, {
      TARGET: `${keycloak.target.url}/realms/${realmName}/protocol/openid-connect/token`,
    });
    targets.push(relay);

    const cpuCount = cpus().length;
    const all = `0-${cpuCount - 1}`;
    // Only a Keycloak the bench started is pinned: one named by KEYCLOAK_URL belongs to someone else.
    const pinned =
      cpuCount >= 2 &&
      keycloak.own &&
      keycloak.target.pid > 0 &&
      pin(process.pid, all) &&
      pin(keycloak.target.pid, all);
    const round = new KeycloakRound(
      { keycloak: keycloak.target, gateway, relay },
      realmName,
      USERS,
      PASSWORD,
      pinned ? { gateway: '0', keycloak: '1', all } : undefined,
    );

    const recorded: Recorded = { runs: {}, latencies: {}, latencyCpuUs: {}, latencyWaitUs: {} };
    const broken: string[] = [];
    const sink: KeycloakSink = {
      run: (name, result) => (recorded.runs[name] ??= []).push(result),
      latency: (name, ms) => (recorded.latencies[name] ??= []).push(ms),
      latencyCpu: (name, cpuUs, waitUs) => {
        (recorded.latencyCpuUs[name] ??= []).push(cpuUs);
        (recorded.latencyWaitUs[name] ??= []).push(waitUs);
      },
      brokenLoops: (name, count) =>
        broken.push(`${name}: ${count} of its loops ended early (a non-2xx answer or an error)`),
    };
    const warmUp = quick ? {} : await warmUpRounds(round, sink);
    const loadBefore = loadavg();
    for (let n = 1; n <= rounds; n += 1) {
      say(`round ${n}/${rounds}`);
      await round.run(n, settings, sink);
    }
    const loadAfter = loadavg();

    const figures = keycloakFigures(recorded);
    const report: KeycloakReport = {
      quick,
      date: new Date().toISOString().slice(0, 10),
      rounds,
      ...settings,
      refreshChains: Math.min(CAPACITY_CONNECTIONS, settings.refreshes),
      loginConnections: LOGIN_CONNECTIONS,
      loginUsers: LOGIN_USERS,
      pinned,
      keycloak: {
        version: keycloak.version,
        own: keycloak.own,
        cpuMeasured: keycloak.target.pid > 0,
        passwordHash: hash,
      },
      machine: {
        cpus: cpuCount,
        cpu: cpus()[0]?.model,
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        loadAverage: { atStart: loadAtStart, before: loadBefore, after: loadAfter },
      },
      warmUp,
      ...figures,
      failures: [...figures.failures, ...broken],
    };

    const out = join(projectRoot(), quick ? 'test-results' : 'docs');
    mkdirSync(out, { recursive: true });
    writeFileSync(
      join(out, quick ? 'bench-keycloak-quick.json' : 'benchmarks-keycloak.json'),
      `${JSON.stringify(report, null, 2)}\n`,
    );
    if (!quick) {
      writeBenchmarksDoc();
      say(`wrote ${BENCHMARKS_DOC} (its section "Against a real Keycloak") and docs/benchmarks-keycloak.json`);
    }
    printSummary(report);
    if (report.failures.length > 0)
      process.stderr.write(`bench: correctness failures:\n  ${report.failures.join('\n  ')}\n`);
    return report.failures.length > 0 ? 1 : 0;
  } finally {
    await cleanUp?.().catch((err: unknown) => say(`could not delete the bench's realm: ${String(err)}`));
    // The gateway and the relay first, Keycloak last.
    for (const target of targets.reverse()) await target.stop();
  }
}

/**
 * The JVM compiles Keycloak's hot paths as they run (slowly on a busy machine, its compiler threads sharing the CPUs),
 * and V8 the gateway's: rounds that are not recorded, at least MIN_WARM_UP, then until Keycloak's CPU per refresh
 * straight to it falls by less than WARM from one round to the next (at most MAX_WARM_UP). Answers Keycloak's CPU per
 * request in each, by scenario. A failure in them is a failure of the run.
 */
async function warmUpRounds(round: KeycloakRound, sink: KeycloakSink): Promise<Record<string, number[]>> {
  const keycloakCpu: Record<string, number[]> = {};
  for (let n = 1; n <= MAX_WARM_UP; n += 1) {
    say(`warm-up round ${n}`);
    const seen: Record<string, LoadResult> = {};
    await round.run(n, WARM_UP, {
      ...sink,
      run: (name, result) => (seen[name] = result),
      latency: () => undefined,
      latencyCpu: () => undefined,
    });
    for (const [name, result] of Object.entries(seen)) {
      const direct = name.endsWith('direct');
      const us = (direct ? result.cpuUs?.server : result.cpuUs?.idp) ?? Number.NaN;
      (keycloakCpu[name] ??= []).push(us);
      say(
        `  ${name}: ${result.rps.toFixed(0)} req/s, CPU per request: ${direct ? '' : `gateway ${result.cpuUs?.server} µs, `}Keycloak ${us} µs`,
      );
    }
    const [before, last] = (keycloakCpu['refresh direct'] ?? []).slice(-2);
    if (n >= MIN_WARM_UP && before !== undefined && last !== undefined && last >= before * (1 - WARM)) break;
  }
  return keycloakCpu;
}

function printSummary(report: KeycloakReport): void {
  for (const [name, s] of Object.entries(report.summary)) {
    const cpu = Object.entries(s.cpuUs)
      .filter(([, us]) => us !== undefined)
      .map(([role, us]) => `${role} ${us} µs`)
      .join(', ');
    process.stdout.write(
      `${name.padEnd(20)} ${s.rps.toFixed(0).padStart(6)} req/s  p50 ${s.p50} ms  spread ${s.spread.toFixed(0)}%  CPU per request: ${cpu}\n`,
    );
  }
  if (report.quick) {
    process.stdout.write('quick: correctness only, nothing timed against the targets\n');
  } else {
    for (const target of KEYCLOAK_TARGETS)
      process.stdout.write(
        `${target.check}: ${target.shown(report)} (target ${target.target})${target.met(report) ? '' : ' MISSED'}\n`,
      );
  }
  const { atStart, before, after } = report.machine.loadAverage;
  const load = (values: number[]) => values.map((v) => v.toFixed(1)).join(' ');
  process.stdout.write(
    `load average: ${load(atStart)} before the bench started anything, ${load(before)} before the rounds, ${load(after)} after${report.pinned ? '' : ' (unpinned)'}\n`,
  );
}

/** How Keycloak stored the bench users' passwords (its realm's default hashing), as its Admin API describes it. */
async function passwordHash(admin: KeycloakTestAdmin, realm: string, userId: string): Promise<string> {
  const credentials = await admin.call<{ type: string; credentialData?: string }[]>(
    'GET',
    `/admin/realms/${realm}/users/${userId}/credentials`,
  );
  const data = JSON.parse(credentials.find((c) => c.type === 'password')?.credentialData ?? '{}') as {
    algorithm?: string;
    hashIterations?: number;
    additionalParameters?: Record<string, string[]>;
  };
  const extra = Object.entries(data.additionalParameters ?? {}).map(([key, [value]]) => `${key} ${value}`);
  return [
    data.algorithm ?? 'unknown',
    data.hashIterations !== undefined ? `${data.hashIterations} iterations` : undefined,
    ...extra,
  ]
    .filter(Boolean)
    .join(', ');
}

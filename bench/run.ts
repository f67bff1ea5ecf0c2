// npm run bench: the gateway's cost per request, side by side with a bare Express app and with express-openid-connect,
// in interleaved rounds on one machine. `--quick` checks only correctness figures (no timing) and runs in CI.
// `--idp keycloak` measures the gateway in front of a real Keycloak instead (bench/keycloak/).
import { writeFileSync, mkdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { projectRoot } from '../src/support/project-root.js';
import { closedPort } from '../test/support/ports.js';
import { runKeycloakBench } from './keycloak/run.js';
import { writeBenchmarksDoc } from './lib/docs.js';
import { load, type LoadResult } from './lib/load.js';
import { GATEWAY, pin, startTarget, type Target } from './lib/processes.js';
import { median, medianRatio, spreadPercent } from './lib/stats.js';
import { CAPACITY_CONNECTIONS, CLIENT, Round, type RoundSettings, type Targets } from './round.js';
import { storm } from './storm.js';

const quick = process.argv.includes('--quick');
const rounds = quick ? 1 : Number(argument('--rounds') ?? 3);
const seconds = quick ? 1 : Number(argument('--duration') ?? 5);
const settings: RoundSettings = {
  seconds,
  singleUse: quick ? 2 * CAPACITY_CONNECTIONS : 1500,
  latencySamples: quick ? 10 : 200,
  hashedLogins: quick ? 4 : 40,
};
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SESSION_SECRET = 'a-bench-session-secret-of-at-least-32-characters';
// --label <name> writes docs/benchmarks-<name>.md and .json beside the default run: the same code measured another way,
// such as on another Node (every target runs on the Node that runs the bench).
const label = argument('--label');
const MEMORY_LOGINS = 20_000;
// V8's old generation for the memory runs: the gateway does its logins well inside it, and a leak of more than
// MEMORY_HEAP_CAP_MB over MEMORY_LOGINS logins (about 6.6 KB a login) would end the process.
const MEMORY_HEAP_CAP_MB = 128;

function argument(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

const targets: Target[] = [];
async function start(...args: Parameters<typeof startTarget>): Promise<Target> {
  const target = await startTarget(...args);
  targets.push(target);
  return target;
}

async function main(): Promise<number> {
  const which = argument('--idp') ?? 'dev';
  if (which !== 'dev' && which !== 'keycloak')
    throw new Error(
      '--idp takes dev (the embedded development IdP, the default) or keycloak (a real Keycloak: KEYCLOAK_URL, or one started from KEYCLOAK_VERSION)',
    );
  if (which === 'keycloak') {
    if (label !== undefined)
      throw new Error("--label is for the development IdP's run; --idp keycloak writes docs/benchmarks-keycloak.json");
    return runKeycloakBench(argument, quick);
  }
  if (label !== undefined && !/^[a-z0-9.-]{1,40}$/.test(label))
    throw new Error('--label takes lowercase letters, digits, dots and dashes, e.g. node24');
  const redis = createClient({ url: REDIS_URL });
  await redis.connect().catch((err: unknown) => {
    throw new Error(`the bench needs Redis at ${REDIS_URL}: ${String(err)}`);
  });

  const [idpPort, idpControl, floorPort, tokenPort, sessionPort, peerPort, relayPort] = (await Promise.all(
    Array.from({ length: 7 }, () => closedPort()),
  )) as [number, number, number, number, number, number, number];
  const idp = await start(
    'idp',
    'bench/targets/idp.ts',
    idpPort,
    { CONTROL_PORT: String(idpControl), EXTRA_REDIRECT_URIS: `http://127.0.0.1:${peerPort}/callback` },
    '/realms/demo/.well-known/openid-configuration',
  );
  const issuer = `${idp.url}/realms/demo`;
  const gatewayEnv = {
    KEYCLOAK_URL: idp.url,
    KEYCLOAK_CLIENT_SECRET: CLIENT.client_secret,
    SESSION_SECRET,
    LOG_LEVEL: 'warn',
    LOGIN_FAILURES_PER_IP: '1000000',
    LOGIN_FAILURES_PER_USER: '100000',
  };
  const all: Targets = {
    idp,
    floor: await start('floor', 'bench/targets/floor.ts', floorPort, {}),
    tokenGw: await start('gateway (token mode)', GATEWAY, tokenPort, { ...gatewayEnv, AUTH_MODE: 'token' }),
    sessionGw: await start('gateway (session mode, Redis)', GATEWAY, sessionPort, {
      ...gatewayEnv,
      AUTH_MODE: 'session',
      REDIS_URL,
    }),
    peer: await start('express-openid-connect', 'bench/targets/peer.ts', peerPort, { ISSUER: issuer, REDIS_URL }),
    relay: await start('bare relay', 'bench/targets/relay.ts', relayPort, {
      TARGET: `${issuer}/protocol/openid-connect/token`,
    }),
  };

  // The machine's CPUs, not this process's share of them (availableParallelism() reads an inherited affinity).
  const cpuCount = cpus().length;
  const pinned = cpuCount >= 2 && pin(process.pid, `0-${cpuCount - 1}`) && pin(idp.pid, '1');
  const round = new Round(all, pinned, `0-${cpuCount - 1}`, `http://127.0.0.1:${idpControl}`);
  const runs: Record<string, LoadResult[]> = {};
  const latencies: Record<string, number[]> = {};
  const sink = {
    run: (name: string, result: LoadResult) => (runs[name] ??= []).push(result),
    latency: (name: string, ms: number) => (latencies[name] ??= []).push(ms),
  };
  if (!quick) {
    // A round that is not recorded first, with as many refreshes and logins as a real one: the gateway's CPU per
    // refresh kept falling over its first few thousand (V8 optimising openid-client, undici and Express as they run).
    process.stdout.write('warm-up round\n');
    await round.run(
      0,
      { ...settings, seconds: 2, latencySamples: 50, hashedLogins: 4 },
      { run: () => undefined, latency: () => undefined },
    );
  }
  for (let n = 1; n <= rounds; n += 1) {
    process.stdout.write(`round ${n}/${rounds}\n`);
    await round.run(n, settings, sink);
  }

  const storms = await storm({
    redisUrl: REDIS_URL,
    sessionSecret: SESSION_SECRET,
    concurrency: quick ? 50 : 200,
    start,
  });

  let memory: Record<string, number> | undefined;
  const memoryFailures: string[] = [];
  if (!quick) {
    // Fresh gateways whose old generation is capped, so that a leak shows as a process that dies and logins that fail,
    // not only as a larger figure: RSS grows to a high-water mark under load whether or not anything leaks.
    const capped = { ...gatewayEnv, NODE_OPTIONS: `--max-old-space-size=${MEMORY_HEAP_CAP_MB}` };
    const [tokenPort2, sessionPort2] = (await Promise.all([closedPort(), closedPort()])) as [number, number];
    const fresh = {
      token: await start('gateway (token mode, capped heap)', GATEWAY, tokenPort2, { ...capped, AUTH_MODE: 'token' }),
      session: await start('gateway (session mode, capped heap)', GATEWAY, sessionPort2, {
        ...capped,
        AUTH_MODE: 'session',
        REDIS_URL,
      }),
    };
    const before = { token: fresh.token.rss(), session: fresh.session.rss() };
    for (const [mode, gateway] of Object.entries(fresh)) {
      const result = await load({
        url: `${gateway.url}/api/auth/login`,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf': '1' },
        body: JSON.stringify({ username: 'alice', password: 'alice-password' }),
        amount: MEMORY_LOGINS,
        connections: 20,
      });
      if (result.errors > 0 || result.non2xx > 0)
        memoryFailures.push(
          `memory, ${mode} mode: ${result.errors} errors, ${result.non2xx} non-2xx answers in ${MEMORY_LOGINS} logins`,
        );
    }
    const [key] = (await redis.scan('0', { MATCH: 'authgate:sess:*', COUNT: 1000 })).keys;
    memory = {
      logins: MEMORY_LOGINS,
      heapCapMb: MEMORY_HEAP_CAP_MB,
      tokenRssBefore: before.token,
      tokenRssAfter: fresh.token.rss(),
      sessionRssBefore: before.session,
      sessionRssAfter: fresh.session.rss(),
      redisBytesPerSession: key ? ((await redis.memoryUsage(key)) ?? 0) : 0,
    };
  }
  await redis.close();

  const failures = Object.entries(runs).flatMap(([name, results]) =>
    results
      .filter((r) => r.errors > 0 || r.non2xx > 0)
      .map((r) => `${name}: ${r.errors} errors, ${r.non2xx} non-2xx answers`),
  );
  for (const [name, result] of [
    ['refresh storm', storms.session],
    ['service-token storm', storms.serviceToken],
  ] as const) {
    if (result.refreshGrants !== 1) failures.push(`${name}: the IdP saw ${result.refreshGrants} refresh grants, not 1`);
    if (result.failures > 0) failures.push(`${name}: ${result.failures} requests failed`);
  }
  failures.push(...memoryFailures);

  const rpsOf = (name: string) => (runs[name] ?? []).map((r) => r.rps);
  const summary = Object.fromEntries(
    Object.entries(runs).map(([name, results]) => {
      const cpuOf = (role: 'server' | 'idp' | 'loader') => {
        const values = results.map((r) => r.cpuUs?.[role]).filter((v): v is number => v !== undefined);
        return values.length > 0 ? median(values) : undefined;
      };
      const cpuUs = { server: cpuOf('server'), idp: cpuOf('idp'), loader: cpuOf('loader') };
      // Over all rounds together: a grant is rare where the gateway answers from the access token it holds.
      const counted = results.filter((r) => r.refreshGrants !== undefined);
      const grantsPer1000 =
        counted.length > 0
          ? (counted.reduce((sum, r) => sum + (r.refreshGrants ?? 0), 0) * 1000) /
            Math.max(
              1,
              counted.reduce((sum, r) => sum + r.requests, 0),
            )
          : undefined;
      return [
        name,
        {
          rps: median(rpsOf(name)),
          spread: spreadPercent(rpsOf(name)),
          p50: median(results.map((r) => r.p50)),
          p99: median(results.map((r) => r.p99)),
          cpuUs,
          ...(grantsPer1000 !== undefined ? { grantsPer1000 } : {}),
          runs: results,
        },
      ];
    }),
  );
  // Each ratio is the median of the rounds' own ratios: both sides of a round ran back to back, under the same noise.
  const ratios = {
    tokenMeToFloor: medianRatio(rpsOf('token /me'), rpsOf('floor')),
    sessionMeToFloor: medianRatio(rpsOf('session /me'), rpsOf('floor')),
    sessionMeToPeer: medianRatio(rpsOf('session /me'), rpsOf('peer /me')),
    refresh: medianRatio(rpsOf('refresh via gateway'), rpsOf('refresh direct')),
    login: medianRatio(rpsOf('login via gateway'), rpsOf('login direct')),
    loginHashed: medianRatio(rpsOf('login via gateway, PBKDF2'), rpsOf('login direct, PBKDF2')),
  };
  // The latency a hop adds, round by round: the gateway's, and a bare relay's (the machine's own cost of a hop).
  const added = (name: string) =>
    median((latencies[name] ?? []).map((ms, i) => ms - (latencies['refresh direct']?.[i] ?? Number.NaN)));
  const addedRefreshLatencyMs = added('refresh via gateway');
  const addedRelayLatencyMs = added('refresh via bare relay');
  const report = {
    quick,
    label,
    rounds,
    ...settings,
    pinned,
    machine: {
      cpus: cpus().length,
      cpu: cpus()[0]?.model,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
    },
    summary,
    ratios,
    latencies: { ...latencies, addedRefreshLatencyMs, addedRelayLatencyMs },
    storm: storms.session,
    serviceTokenStorm: storms.serviceToken,
    memory,
    failures,
  };

  const out = quick ? join(projectRoot(), 'test-results') : join(projectRoot(), 'docs');
  mkdirSync(out, { recursive: true });
  const file = quick ? 'bench-quick' : label ? `benchmarks-${label}` : 'benchmarks';
  writeFileSync(join(out, `${file}.json`), `${JSON.stringify(report, null, 2)}\n`);
  if (!quick && label) {
    const { renderReport } = await import('./lib/report.js');
    writeFileSync(join(out, `${file}.md`), renderReport(report));
  } else if (!quick) {
    writeBenchmarksDoc();
  }
  for (const [name, s] of Object.entries(summary)) {
    const cpu = Object.entries(s.cpuUs)
      .filter(([, us]) => us !== undefined)
      .map(([role, us]) => `${role} ${us} µs`)
      .join(', ');
    const grants = s.grantsPer1000 !== undefined ? `  refresh grants per 1,000: ${s.grantsPer1000.toFixed(2)}` : '';
    process.stdout.write(
      `${name.padEnd(26)} ${s.rps.toFixed(0).padStart(7)} req/s  p50 ${s.p50} ms  spread ${s.spread.toFixed(0)}%  CPU per request: ${cpu}${grants}\n`,
    );
  }
  process.stdout.write(
    `ratios: ${Object.entries(ratios)
      .map(([name, r]) => `${name} ${r.toFixed(2)}`)
      .join(
        ', ',
      )}; refresh adds ${addedRefreshLatencyMs.toFixed(2)} ms at one request at a time (a bare relay ${addedRelayLatencyMs.toFixed(2)} ms)${pinned ? '' : ' (unpinned)'}\n`,
  );
  for (const [name, result] of [
    ['refresh storm', storms.session],
    ['service-token storm', storms.serviceToken],
  ] as const)
    process.stdout.write(
      `${name}: ${result.concurrency} requests on 2 instances, ${result.refreshGrants} refresh grant(s), ${result.failures} failures\n`,
    );
  if (failures.length > 0) process.stderr.write(`bench: correctness failures:\n  ${failures.join('\n  ')}\n`);
  return failures.length > 0 ? 1 : 0;
}

main()
  .then(
    (code) => code,
    (err: unknown) => {
      process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      return 1;
    },
  )
  .then(async (code) => {
    await Promise.all(targets.map((t) => t.stop()));
    process.exit(code);
  });

// npm run bench:compare -- <git ref>: the gateway as built from <ref> against the working tree's build, side by side in
// one run, on the paths a change is usually about (token-mode refresh and login, session-mode /me). Prints the CPU each
// gateway spent per request and its throughput, round by round: the "before and after" of docs/benchmarks.md.
// The older build runs with this tree's node_modules, so compare against refs whose dependencies are the same or fewer.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { projectRoot } from '../src/support/project-root.js';
import { closedPort } from '../test/support/ports.js';
import { load } from './lib/load.js';
import { GATEWAY, startTarget, type Target } from './lib/processes.js';
import { median } from './lib/stats.js';
import { CLIENT } from './round.js';

const ref = process.argv[2];
const rounds = 4;
const requests = 1500;
if (!ref) {
  process.stderr.write('usage: npm run bench:compare -- <git ref>\n');
  process.exit(2);
}

const root = projectRoot();
const worktree = mkdtempSync(join(tmpdir(), 'authgate-compare-'));
const targets: Target[] = [];
try {
  execFileSync('git', ['worktree', 'add', '--detach', worktree, ref], { cwd: root, stdio: 'ignore' });
  symlinkSync(join(root, 'node_modules'), join(worktree, 'node_modules'));
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: worktree,
    stdio: 'inherit',
  });
  if (!existsSync(join(worktree, GATEWAY))) throw new Error(`${ref} has no ${GATEWAY} after building`);
  execFileSync(process.execPath, [join(root, 'scripts/build-if-stale.mjs')], { cwd: root, stdio: 'inherit' });

  const [idpPort, control, ...ports] = await Promise.all(Array.from({ length: 6 }, () => closedPort()));
  const idp = await startTarget(
    'idp',
    'bench/targets/idp.ts',
    idpPort!,
    { CONTROL_PORT: String(control) },
    '/realms/demo/.well-known/openid-configuration',
  );
  targets.push(idp);
  const env = {
    KEYCLOAK_URL: idp.url,
    KEYCLOAK_CLIENT_SECRET: CLIENT.client_secret,
    LOG_LEVEL: 'warn',
    LOGIN_FAILURES_PER_IP: '1000000',
    LOGIN_FAILURES_PER_USER: '100000',
    SESSION_SECRET: 'a-bench-session-secret-of-at-least-32-characters',
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  };
  const builds = { [ref]: relative(root, join(worktree, GATEWAY)), 'working tree': GATEWAY };
  const gateways = await Promise.all(
    Object.entries(builds).flatMap(([name, file], i) => [
      startTarget(`${name} token`, file, ports[2 * i]!, { ...env, AUTH_MODE: 'token' }).then((t) => ({
        name,
        mode: 'token',
        t,
      })),
      startTarget(`${name} session`, file, ports[2 * i + 1]!, { ...env, AUTH_MODE: 'session' }).then((t) => ({
        name,
        mode: 'session',
        t,
      })),
    ]),
  );
  targets.push(...gateways.map((g) => g.t));
  const tokenEndpoint = `${idp.url}/realms/demo/protocol/openid-connect/token`;
  const password = {
    grant_type: 'password',
    username: 'alice',
    password: 'alice-password',
    scope: 'openid',
    ...CLIENT,
  };
  const refreshTokens = async (count: number) => {
    const tokens: string[] = [];
    for (let i = 0; i < count; i += 1)
      tokens.push(
        (
          (await (await fetch(tokenEndpoint, { method: 'POST', body: new URLSearchParams(password) })).json()) as {
            refresh_token: string;
          }
        ).refresh_token,
      );
    return tokens;
  };
  const json = { 'content-type': 'application/json' };
  const figures: Record<string, { cpuUs: number[]; rps: number[] }> = {};
  for (let round = 0; round <= rounds; round += 1) {
    // Round 0 warms every process up and is not counted; later rounds alternate which build goes first.
    for (const { name, mode, t } of round % 2 ? gateways : [...gateways].reverse()) {
      const runs: [string, Parameters<typeof load>[0]][] =
        mode === 'token'
          ? [
              [
                'refresh',
                {
                  url: `${t.url}/api/auth/refresh-token`,
                  method: 'POST',
                  headers: json,
                  bodies: (await refreshTokens(requests)).map((r) => JSON.stringify({ refresh_token: r })),
                  amount: requests,
                  connections: 10,
                },
              ],
              [
                'login',
                {
                  url: `${t.url}/api/auth/login`,
                  method: 'POST',
                  headers: json,
                  body: JSON.stringify({ username: 'alice', password: 'alice-password' }),
                  amount: requests,
                  connections: 10,
                },
              ],
            ]
          : [
              [
                'session /me',
                { url: `${t.url}/api/auth/me`, headers: { cookie: await sessionCookie(t.url) }, duration: 5 },
              ],
            ];
      for (const [scenario, options] of runs) {
        const before = t.cpuMs();
        const result = await load(options);
        if (result.errors > 0 || result.non2xx > 0)
          throw new Error(`${name} ${scenario}: ${result.errors} errors, ${result.non2xx} non-2xx answers`);
        if (round === 0) continue;
        const entry = (figures[`${scenario.padEnd(12)} ${name}`] ??= { cpuUs: [], rps: [] });
        entry.cpuUs.push(Math.round(((t.cpuMs() - before) * 1000) / result.requests));
        entry.rps.push(Math.round(result.rps));
      }
    }
  }
  for (const [key, { cpuUs, rps }] of Object.entries(figures).sort()) {
    process.stdout.write(
      `${key.padEnd(40)} gateway CPU per request ${String(median(cpuUs)).padStart(5)} µs (rounds: ${cpuUs.join(', ')}), req/s ${median(rps)} (${rps.join(', ')})\n`,
    );
  }
} finally {
  await Promise.all(targets.map((t) => t.stop()));
  execFileSync('git', ['worktree', 'remove', '--force', worktree], { cwd: root, stdio: 'ignore' });
  rmSync(worktree, { recursive: true, force: true });
}

async function sessionCookie(url: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-csrf': '1' },
    body: JSON.stringify({ username: 'alice', password: 'alice-password' }),
  });
  if (res.status !== 200) throw new Error(`login at ${url} answered ${res.status}`);
  return (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}

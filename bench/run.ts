// npm run bench: the gateway's cost per request, side by side with a bare Express app and with express-openid-connect,
// in interleaved rounds on one machine. `--quick` checks only correctness figures (no timing) and runs in CI.
import { writeFileSync, mkdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { projectRoot } from '../src/project-root.js';
import { closedPort } from '../test/support/ports.js';
import { loginThroughIdp } from './lib/browser-login.js';
import { load, type LoadResult } from './lib/load.js';
import { startTarget, type Target } from './lib/processes.js';
import { median, spreadPercent } from './lib/stats.js';
import { storm } from './storm.js';

const quick = process.argv.includes('--quick');
const rounds = quick ? 1 : Number(argument('--rounds') ?? 3);
const seconds = quick ? 1 : Number(argument('--duration') ?? 5);
const singleUse = quick ? 30 : 1500;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SESSION_SECRET = 'a-bench-session-secret-of-at-least-32-characters';
const CLIENT = { client_id: 'authgate', client_secret: 'authgate-dev-secret' };

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
  const redis = createClient({ url: REDIS_URL });
  await redis.connect().catch((err: unknown) => {
    throw new Error(`the bench needs Redis at ${REDIS_URL}: ${String(err)}`);
  });

  const [idpPort, idpControl, floorPort, tokenPort, sessionPort, peerPort] = (await Promise.all(Array.from({ length: 6 }, () => closedPort()))) as [number, number, number, number, number, number];
  const idp = await start('idp', 'bench/targets/idp.ts', idpPort, { CONTROL_PORT: String(idpControl), EXTRA_REDIRECT_URIS: `http://127.0.0.1:${peerPort}/callback` }, '/realms/demo/.well-known/openid-configuration');
  const issuer = `${idp.url}/realms/demo`;
  const tokenEndpoint = `${issuer}/protocol/openid-connect/token`;
  const gatewayEnv = { KEYCLOAK_URL: idp.url, KEYCLOAK_CLIENT_SECRET: CLIENT.client_secret, SESSION_SECRET, LOG_LEVEL: 'warn', LOGIN_FAILURES_PER_IP: '1000000' };
  const floor = await start('floor', 'bench/targets/floor.ts', floorPort, {});
  const tokenGw = await start('gateway (token mode)', 'src/server.ts', tokenPort, { ...gatewayEnv, AUTH_MODE: 'token' });
  const sessionGw = await start('gateway (session mode, Redis)', 'src/server.ts', sessionPort, { ...gatewayEnv, AUTH_MODE: 'session', REDIS_URL });
  const peer = await start('express-openid-connect', 'bench/targets/peer.ts', peerPort, { ISSUER: issuer, REDIS_URL });

  const login = async (url: string, csrf: boolean) => {
    const res = await fetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(csrf ? { 'x-csrf': '1' } : {}) },
      body: JSON.stringify({ username: 'alice', password: 'alice-password' }),
    });
    if (res.status !== 200) throw new Error(`login at ${url} answered ${res.status}`);
    return { body: (await res.json()) as { token?: { access_token: string } }, cookie: (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '' };
  };
  const freshRefreshTokens = async (count: number) => {
    const tokens: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const res = await fetch(tokenEndpoint, { method: 'POST', body: new URLSearchParams({ grant_type: 'password', username: 'alice', password: 'alice-password', scope: 'openid', ...CLIENT }) });
      tokens.push(((await res.json()) as { refresh_token: string }).refresh_token);
    }
    return tokens;
  };

  const runs: Record<string, LoadResult[]> = {};
  const record = (name: string, result: LoadResult) => (runs[name] ??= []).push(result);
  const passwordForm = new URLSearchParams({ grant_type: 'password', username: 'alice', password: 'alice-password', scope: 'openid', ...CLIENT }).toString();

  for (let round = 1; round <= rounds; round += 1) {
    process.stdout.write(`round ${round}/${rounds}\n`);
    // Fresh credentials every round: access tokens live 300 s.
    const bearer = (await login(tokenGw.url, false)).body.token?.access_token ?? '';
    const sessionCookie = (await login(sessionGw.url, true)).cookie;
    const peerCookie = await loginThroughIdp(peer.url, 'alice', 'alice-password');

    record('floor', await load({ url: `${floor.url}/floor`, duration: seconds }));
    record('token /me', await load({ url: `${tokenGw.url}/api/auth/me`, headers: { authorization: `Bearer ${bearer}` }, duration: seconds }));
    record('session /me', await load({ url: `${sessionGw.url}/api/auth/me`, headers: { cookie: sessionCookie }, duration: seconds }));
    record('peer /me', await load({ url: `${peer.url}/me`, headers: { cookie: peerCookie }, duration: seconds }));
    record('session, no cookie', await load({ url: `${sessionGw.url}/api/auth/session`, duration: seconds }));

    const viaGateway = (await freshRefreshTokens(singleUse)).map((t) => JSON.stringify({ refresh_token: t }));
    const direct = (await freshRefreshTokens(singleUse)).map((t) => new URLSearchParams({ grant_type: 'refresh_token', refresh_token: t, ...CLIENT }).toString());
    record('refresh via gateway', await load({ url: `${tokenGw.url}/api/auth/refresh-token`, method: 'POST', headers: { 'content-type': 'application/json' }, bodies: viaGateway, amount: singleUse, connections: 10 }));
    record('refresh direct', await load({ url: tokenEndpoint, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, bodies: direct, amount: singleUse, connections: 10 }));
    record('login via gateway', await load({ url: `${tokenGw.url}/api/auth/login`, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'alice', password: 'alice-password' }), amount: singleUse, connections: 10 }));
    record('login direct', await load({ url: tokenEndpoint, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: passwordForm, amount: singleUse, connections: 10 }));
  }

  const stormResult = await storm({ redisUrl: REDIS_URL, sessionSecret: SESSION_SECRET, concurrency: quick ? 50 : 200, start });

  let memory: Record<string, number> | undefined;
  if (!quick) {
    const before = { token: tokenGw.rss(), session: sessionGw.rss() };
    await load({ url: `${tokenGw.url}/api/auth/login`, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'alice', password: 'alice-password' }), amount: 20_000, connections: 20 });
    await load({ url: `${sessionGw.url}/api/auth/login`, method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf': '1' }, body: JSON.stringify({ username: 'alice', password: 'alice-password' }), amount: 20_000, connections: 20 });
    const [key] = (await redis.scan('0', { MATCH: 'authgate:sess:*', COUNT: 1000 })).keys;
    memory = {
      tokenRssBefore: before.token,
      tokenRssAfter: tokenGw.rss(),
      sessionRssBefore: before.session,
      sessionRssAfter: sessionGw.rss(),
      redisBytesPerSession: key ? ((await redis.memoryUsage(key)) ?? 0) : 0,
    };
  }
  await redis.close();

  const failures = Object.entries(runs).flatMap(([name, results]) => results.filter((r) => r.errors > 0 || r.non2xx > 0).map((r) => `${name}: ${r.errors} errors, ${r.non2xx} non-2xx answers`));
  if (stormResult.refreshGrants !== 1) failures.push(`refresh storm: the IdP saw ${stormResult.refreshGrants} refresh grants, not 1`);
  if (stormResult.failures > 0) failures.push(`refresh storm: ${stormResult.failures} requests failed`);

  const summary = Object.fromEntries(
    Object.entries(runs).map(([name, results]) => [
      name,
      { rps: median(results.map((r) => r.rps)), spread: spreadPercent(results.map((r) => r.rps)), p50: median(results.map((r) => r.p50)), p99: median(results.map((r) => r.p99)), runs: results },
    ]),
  );
  const report = { quick, rounds, seconds, singleUse, machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version }, summary, storm: stormResult, memory, failures };

  const out = quick ? join(projectRoot(), 'test-results') : join(projectRoot(), 'docs');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, quick ? 'bench-quick.json' : 'benchmarks.json'), `${JSON.stringify(report, null, 2)}\n`);
  if (!quick) {
    const { renderReport } = await import('./lib/report.js');
    writeFileSync(join(out, 'benchmarks.md'), renderReport(report));
  }
  for (const [name, s] of Object.entries(summary)) process.stdout.write(`${name.padEnd(22)} ${s.rps.toFixed(0).padStart(7)} req/s  p50 ${s.p50} ms  spread ${s.spread.toFixed(0)}%\n`);
  process.stdout.write(`refresh storm: ${stormResult.concurrency} requests on 2 instances, ${stormResult.refreshGrants} refresh grant(s), ${stormResult.failures} failures\n`);
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

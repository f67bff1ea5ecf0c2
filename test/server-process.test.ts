import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { projectRoot } from '../src/support/project-root.js';
import { keepAliveLoad, type Outcome } from './support/keep-alive-load.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real entry point (src/server.ts through tsx) as `npm start` would, with only the given environment. */
function runServer(
  env: Record<string, string>,
  whileRunning?: (stdout: () => string, kill: (signal: NodeJS.Signals) => void) => Promise<void>,
): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot(), 'src', 'server.ts')], {
    cwd: projectRoot(),
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<Run>((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
  // The run is over when the process has exited AND the caller's work is done: a process that stops quickly must not
  // end the test while the caller is still collecting what its clients saw.
  const working = whileRunning
    ? whileRunning(
        () => stdout,
        (signal) => child.kill(signal),
      ).catch(() => void child.kill('SIGKILL'))
    : Promise.resolve();
  return Promise.all([exited, working]).then(([run]) => run);
}

async function waitFor(read: () => string, pattern: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = read().match(pattern);
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the server process', () => {
  it('refuses to start on a wrong setting, naming the variable, with exit code 1', async () => {
    const run = await runServer({ PORT: 'eighty' });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('authgate: Invalid configuration:\n  - PORT: must be a port number\n');
  }, 30_000);

  it('refuses the embedded development IdP in production', async () => {
    const run = await runServer({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40) });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'KEYCLOAK_URL or IDP_ISSUER: one is required when NODE_ENV=production (the embedded development IdP refuses to run in production)',
    );
  }, 30_000);

  it('starts with the embedded IdP, says loudly that it is a development IdP, serves, and stops cleanly on SIGTERM', async () => {
    let health: unknown;
    let login: unknown;
    const run = await runServer({ PORT: '0', DEV_IDP_PORT: '0' }, async (stdout, kill) => {
      const [, url] = await waitFor(stdout, /"url":"(http:\/\/localhost:\d+)"/);
      health = await (await fetch(`${url}/healthz`)).json();
      const res = await fetch(`${url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf': '1' },
        body: '{"username":"alice","password":"alice-password"}',
      });
      login = { body: (await res.json()) as unknown, cookie: res.headers.get('set-cookie') };
      kill('SIGTERM');
    });
    expect(run.code).toBe(0);
    expect(health).toEqual({ status: 'ok' });
    // Session mode by default: the login answers with the user and a session cookie, never a token.
    expect(login).toMatchObject({
      body: { message: 'Login successful', user: { username: 'alice' } },
      cookie: expect.stringMatching(/^authgate\.sid=.+; Path=\/; HttpOnly; SameSite=Strict$/),
    });
    expect(JSON.stringify(login)).not.toMatch(/eyJ/);
    const lines = run.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toContainEqual(expect.objectContaining({ event: 'dev_idp.started', level: 'warn' }));
    expect(lines).toContainEqual(expect.objectContaining({ event: 'gateway.stopped' }));
    expect(run.stdout).not.toContain('alice-password');
  }, 30_000);

  it('stops on SIGTERM under /me load from 20 keep-alive clients without resetting a request, and exits 0', async () => {
    let outcomes: Outcome[] = [];
    let stoppingSeenAt = Number.POSITIVE_INFINITY;
    let warmedUp = false;
    const run = await runServer({ PORT: '0', DEV_IDP_PORT: '0', AUTH_MODE: 'token' }, async (stdout, kill) => {
      const [, url = ''] = await waitFor(stdout, /"url":"(http:\/\/localhost:\d+)"/);
      const res = await fetch(`${url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', connection: 'close' },
        body: '{"username":"alice","password":"alice-password"}',
      });
      const { token } = (await res.json()) as { token: { access_token: string } };
      const load = keepAliveLoad(url, {
        clients: 20,
        path: '/api/auth/me',
        headers: { authorization: `Bearer ${token.access_token}` },
        // Generous: on a loaded machine the warm-up and the graceful stop together can pass 20 s, and a client that
        // reaches its deadline stops before it can see the refused connection this test waits for.
        deadlineMs: 45_000,
      });
      try {
        warmedUp = await load.warmedUp(10);
        kill('SIGTERM');
        await waitFor(stdout, /"event":"gateway.stopping"/, 5000);
        stoppingSeenAt = Date.now();
        await load.finished;
      } finally {
        await load.stop();
        outcomes = load.outcomes();
      }
    });
    expect(warmedUp).toBe(true);
    expect(run.code).toBe(0);
    const answered = outcomes.filter((o) => o.status !== undefined);
    const errors: Record<string, number> = {};
    for (const { error } of outcomes) if (error) errors[error] = (errors[error] ?? 0) + 1;
    // Every client ends on one refused connection, before its request was sent; none is reset.
    expect(errors).toEqual({ ECONNREFUSED: 20 });
    expect(
      answered.filter((o) => o.status !== 200 || JSON.stringify(o.body) !== JSON.stringify(answered[0]?.body)),
    ).toEqual([]);
    expect(answered[0]?.body).toEqual({ user: expect.objectContaining({ username: 'alice' }) });
    expect(answered.filter((o) => o.startedAt > stoppingSeenAt && o.connection !== 'close')).toEqual([]);
    expect(run.stdout).toContain('"event":"gateway.stopped"');
  }, 90_000);
});

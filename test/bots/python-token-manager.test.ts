import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { projectRoot } from '../../src/support/project-root.js';
import { startServiceTokenWorld, type ServiceTokenWorld } from '../client/service-token-world.js';

const examples = join(projectRoot(), 'examples', 'bots', 'python');
const hasPython = spawnSync('python3', ['--version']).status === 0;
if (!hasPython)
  console.warn('Skipping the Python TokenManager tests: python3 is not installed (CI=true fails instead).');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a Python script with the example on its path; `talk` sees each stdout line and may answer on stdin. */
function python(
  script: string,
  args: string[],
  env: Record<string, string>,
  talk?: (line: string, answer: (text: string) => void) => Promise<void> | void,
): Promise<Run> {
  const child = spawn('python3', [script, ...args], {
    cwd: examples,
    // No __pycache__ left in the examples folder.
    env: { PATH: process.env.PATH ?? '', PYTHONPATH: examples, PYTHONDONTWRITEBYTECODE: '1', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    stdout += text;
    for (const line of text.split('\n').filter(Boolean)) void talk?.(line, (answer) => child.stdin.write(answer));
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  if (!talk) child.stdin.end();
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const driver = join(projectRoot(), 'test', 'bots', 'token_manager_driver.py');
const lastLine = (run: Run) => JSON.parse(run.stdout.trim().split('\n').pop()!) as Record<string, unknown>;

let world: ServiceTokenWorld;
beforeAll(async () => {
  if (hasPython) world = await startServiceTokenWorld();
});
afterAll(async () => {
  if (hasPython) await world.close();
});

describe('the Python TokenManager (examples/bots/python), run with python3 against the real gateway', () => {
  it('has python3 to run with (required under CI=true)', () => {
    if (process.env.CI === 'true') expect(hasPython).toBe(true);
  });

  (hasPython ? it : it.skip)(
    'gets an access token and calls /api/auth/me with it, exchanging once',
    async () => {
      const { token } = await world.create('py-me');
      const run = await python(driver, ['me'], { AUTHGATE_URL: world.url, AUTHGATE_SERVICE_TOKEN: token });
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(lastLine(run)).toEqual({ username: 'alice', same_token: true, exchanges: 1 });
    },
    30_000,
  );

  (hasPython ? it : it.skip)(
    'survives an access token that expired under it: one exchange, one retry',
    async () => {
      const { token } = await world.create('py-expired');
      const run = await python(
        driver,
        ['expired'],
        { AUTHGATE_URL: world.url, AUTHGATE_SERVICE_TOKEN: token },
        (line, answer) => {
          if (!line.includes('"ready"')) return;
          // Past the five-minute access token, for the gateway and the IdP; the Python process still trusts it.
          world.idpClock.advanceSeconds(400);
          world.gatewayClock.advanceSeconds(400);
          answer('go\n');
        },
      );
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(lastLine(run)).toEqual({
        first: { status: 200, username: 'alice' },
        second: { status: 200, username: 'alice' },
        exchanges: 2,
      });
      const meStatuses = world.gateway.logs
        .events('http.request')
        .filter((l) => l.path === '/api/auth/me')
        .map((l) => l.status);
      expect(meStatuses.slice(-3)).toEqual([200, 401, 200]);
    },
    30_000,
  );

  (hasPython ? it : it.skip)(
    'reports a revoked service token clearly, as dead and not as a passing failure',
    async () => {
      const { token, service_token } = await world.create('py-revoked');
      const revoked = await fetch(`${world.url}/api/auth/service-tokens/${service_token.id}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${token}`, 'x-csrf': '1' },
      });
      expect(revoked.status).toBe(200);
      const run = await python(driver, ['revoked'], { AUTHGATE_URL: world.url, AUTHGATE_SERVICE_TOKEN: token });
      expect(lastLine(run)).toEqual({
        kind: 'ServiceTokenRejected',
        dead: true,
        code: 'service_token_invalid',
        status: 401,
        text: 'The service token is not valid (service_token_invalid, HTTP 401)',
      });
    },
    30_000,
  );

  (hasPython ? it : it.skip)(
    'runs the example bot: one round as alice, and a clear exit 1 on a revoked token',
    async () => {
      const { token, service_token } = await world.create('py-bot');
      const env = { AUTHGATE_URL: world.url, AUTHGATE_SERVICE_TOKEN: token };
      const once = await python('bot.py', ['--once'], env);
      expect(once).toMatchObject({ code: 0, stdout: 'Acting as alice\n', stderr: '' });
      await fetch(`${world.url}/api/auth/service-tokens/${service_token.id}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${token}`, 'x-csrf': '1' },
      });
      const dead = await python('bot.py', ['--once'], env);
      expect(dead.code).toBe(1);
      expect(dead.stderr).toBe(
        'The service token no longer works: The service token is not valid (service_token_invalid, HTTP 401). ' +
          'Create a new one (authgate-token create).\n',
      );
    },
    30_000,
  );
});

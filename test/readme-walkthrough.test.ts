import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../src/config/load-config.js';
import { startGateway, type RunningGateway } from '../src/gateway.js';
import { RequestContext } from '../src/observability/request-context.js';
import { projectRoot } from '../src/support/project-root.js';
import { captureLogs } from './support/logs.js';

// The README's curl walk-through, run as written (only the port differs) against the gateway and its embedded IdP.
const tools = ['curl', 'jq'].filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
if (tools.length > 0 && process.env.CI === 'true')
  throw new Error(`the README walk-through needs ${tools.join(' and ')}, missing under CI`);
if (tools.length > 0) console.log(`README walk-through skipped: ${tools.join(' and ')} not installed`);
const suite = tools.length === 0 ? describe : describe.skip;

/** The README's two walk-throughs: session mode first, then token mode. */
function walkthroughs(): string[] {
  const readme = readFileSync(join(projectRoot(), 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## A walk through the API with curl'), readme.indexOf('## Endpoints'));
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  if (blocks.length !== 2) throw new Error('expected two walk-through blocks in the README');
  return blocks;
}

async function run(script: string, gateway: RunningGateway): Promise<unknown[]> {
  const port = new URL(gateway.url).port;
  const work = mkdtempSync(join(tmpdir(), 'authgate-readme-'));
  try {
    const runnable = script.replaceAll('localhost:3000', `127.0.0.1:${port}`).replaceAll('/tmp/', '$WORK/');
    // Asynchronously: the gateway answering the script runs in this very process.
    const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', runnable], {
      env: { PATH: process.env.PATH ?? '', WORK: work },
      encoding: 'utf8',
    });
    return stdout.split(/\n(?=\{)/).map((chunk) => JSON.parse(chunk) as unknown);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function start(mode: 'session' | 'token'): Promise<RunningGateway> {
  const config = loadConfig({ env: { NODE_ENV: 'test', PORT: '0', DEV_IDP_PORT: '0', AUTH_MODE: mode } });
  const requestContext = new RequestContext();
  return startGateway({ config, logger: captureLogs(requestContext).logger, requestContext, host: '127.0.0.1' });
}

suite("the README's curl walk-throughs", () => {
  const gateways: RunningGateway[] = [];
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.close()));
  });

  it('work as written in session mode: login, session, me, refresh, the CSRF refusal, logout', async () => {
    const gateway = await start('session');
    gateways.push(gateway);
    expect(await run(walkthroughs()[0] ?? '', gateway)).toEqual([
      { message: 'Login successful', user: 'alice' },
      { authenticated: true, user: 'alice' },
      { username: 'alice', email: 'alice@example.test' },
      { message: 'Token refreshed successfully' },
      { error: 'csrf_rejected', message: 'State-changing requests must carry the header X-CSRF: 1' },
      { message: 'Logged out' },
      { error: 'unauthenticated', message: 'Authentication is required' },
    ]);
  });

  it('work as written in token mode: login, me, refresh, logout, and the refusals after logout', async () => {
    const gateway = await start('token');
    gateways.push(gateway);
    expect(await run(walkthroughs()[1] ?? '', gateway)).toEqual([
      { message: 'Login successful', user: expect.objectContaining({ username: 'alice', name: 'Alice Liddell' }) },
      { user: expect.objectContaining({ username: 'alice', email: 'alice@example.test' }) },
      { message: 'Token refreshed successfully', expires_in: 300 },
      { message: 'Logged out' },
      { error: 'token_revoked', message: 'The access token has been revoked' },
      { error: 'invalid_grant', message: 'Invalid refresh token' },
    ]);
  });
});

import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../src/config/load-config.js';
import { startGateway, type RunningGateway } from '../src/gateway.js';
import { RequestContext } from '../src/observability/request-context.js';
import { projectRoot } from '../src/project-root.js';
import { captureLogs } from './support/logs.js';

// The README's curl walk-through, run as written (only the port differs) against the gateway and its embedded IdP.
const tools = ['curl', 'jq'].filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
if (tools.length > 0 && process.env.CI === 'true') throw new Error(`the README walk-through needs ${tools.join(' and ')}, missing under CI`);
if (tools.length > 0) console.log(`README walk-through skipped: ${tools.join(' and ')} not installed`);
const suite = tools.length === 0 ? describe : describe.skip;

function walkthrough(): string {
  const readme = readFileSync(join(projectRoot(), 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## A walk through the API with curl'));
  const match = /```sh\n([\s\S]*?)```/.exec(section);
  if (!match?.[1]) throw new Error('no walk-through block in the README');
  return match[1];
}

suite("the README's curl walk-through", () => {
  let gateway: RunningGateway;
  beforeAll(async () => {
    const config = loadConfig({ env: { NODE_ENV: 'test', PORT: '0', DEV_IDP_PORT: '0' } });
    const requestContext = new RequestContext();
    gateway = await startGateway({ config, logger: captureLogs(requestContext).logger, requestContext, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('works as written: login, me, refresh, logout, and the refusals after logout', async () => {
    const port = new URL(gateway.url).port;
    const script = walkthrough().replaceAll('localhost:3000', `127.0.0.1:${port}`).replaceAll('/tmp/', '$WORK/');
    const work = mkdtempSync(join(tmpdir(), 'authgate-readme-'));
    // Asynchronously: the gateway answering the script runs in this very process.
    const { stdout: output } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', script], { env: { PATH: process.env.PATH ?? '', WORK: work }, encoding: 'utf8' });
    rmSync(work, { recursive: true, force: true });
    const answers = output.split(/\n(?=\{)/).map((chunk) => JSON.parse(chunk) as unknown);
    expect(answers).toEqual([
      { message: 'Login successful', user: expect.objectContaining({ username: 'alice', name: 'Alice Liddell' }) },
      { user: expect.objectContaining({ username: 'alice', email: 'alice@example.test' }) },
      { message: 'Token refreshed successfully', expires_in: 300 },
      { message: 'Logged out' },
      { error: 'token_revoked', message: 'The access token has been revoked' },
      { error: 'invalid_grant', message: 'Invalid refresh token' },
    ]);
  });
});

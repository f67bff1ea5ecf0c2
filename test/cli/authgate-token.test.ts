import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import ts from 'typescript';
import { projectRoot } from '../../src/support/project-root.js';
import { startServiceTokenWorld, type ServiceTokenWorld } from '../client/service-token-world.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real command (src/cli/authgate-token.ts through tsx, as the built bin runs) with only the given environment. */
function cli(args: string[], env: Record<string, string> = {}, stdin = ''): Promise<Run> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(projectRoot(), 'src', 'cli', 'authgate-token.ts'), ...args],
    {
      cwd: projectRoot(),
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(stdin);
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const TOKEN = /^agst_[\w-]+$/;
let world: ServiceTokenWorld;
let url: string;
const password = { AUTHGATE_PASSWORD: 'alice-password' };
beforeAll(async () => {
  world = await startServiceTokenWorld();
  url = world.url;
});
afterAll(() => world.close());

describe('authgate-token, the real command against the real gateway', () => {
  it('creates a token: the secret alone on stdout, once, what it is on stderr, the password nowhere', async () => {
    const run = await cli(['create', '--url', url, '--user', 'alice', '--name', 'ci-bot', '--days', '30'], password);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toMatch(TOKEN);
    expect(run.stdout.split('\n').filter(Boolean)).toHaveLength(1);
    expect(run.stderr).toMatch(
      /^Created service token ci-bot \(id [\w-]+\) for alice: (29|30) days left \(expires \d{4}-\d\d-\d\d\)\.\n/,
    );
    expect(run.stderr).toContain('Store it now: it is not shown again.');
    expect(run.stdout + run.stderr).not.toContain('alice-password');
    // The token works: the exchange answers an access token.
    const exchange = await fetch(`${url}/api/auth/service-token/refresh`, {
      method: 'POST',
      headers: { authorization: `Bearer ${run.stdout.trim()}` },
    });
    expect(exchange.status).toBe(200);
  }, 30_000);

  it('creates an eternal token with --json, and takes the gateway from AUTHGATE_URL', async () => {
    const run = await cli(['create', '--user', 'alice', '--name', 'forever', '--eternal', '--json'], {
      ...password,
      AUTHGATE_URL: url,
    });
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as { token: string; service_token: Record<string, unknown> };
    expect(out.token).toMatch(TOKEN);
    expect(out.service_token).toMatchObject({ name: 'forever', owner: 'alice', expires_at: null, days_left: null });
  }, 30_000);

  it('inspects a token from the environment or stdin, and exits 3 when fewer than --warn-days remain', async () => {
    const { token } = await world.create('inspected', { days: 30 });
    const ok = await cli(['inspect', '--url', url], { AUTHGATE_SERVICE_TOKEN: token });
    expect(ok).toMatchObject({ code: 0, stderr: '' });
    expect(ok.stdout).toMatch(
      /^inspected \(id [\w-]+\) for alice: (29|30) days left \(expires [\d-]+\); never used\n$/,
    );

    const warned = await cli(['inspect', '--url', url, '--warn-days', '60'], {}, `${token}\n`);
    expect(warned.code).toBe(3);
    expect(warned.stderr).toBe('Fewer than 60 days left: replace it (authgate-token rotate).\n');

    const json = await cli(['inspect', '--url', url, '--json', '--warn-days', '60'], {}, token);
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toEqual({
      service_token: expect.objectContaining({ name: 'inspected', days_left: expect.any(Number) }),
      warn_days: 60,
      expiring: true,
    });
    expect(json.stdout).not.toContain(token);
  }, 30_000);

  it("lists the owner's tokens as a table or as JSON, never with a secret", async () => {
    const { token } = await world.create('listed-a');
    await world.create('listed-b');
    const secret = token.split('_').pop()!;
    const table = await cli(['list', '--url', url], { AUTHGATE_SERVICE_TOKEN: token });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ID +NAME +OWNER +EXPIRES +DAYS LEFT +LAST USED\n/);
    expect(table.stdout).toMatch(/listed-a +alice/);
    expect(table.stdout).toMatch(/listed-b +alice/);
    const json = await cli(['list', '--url', url, '--json'], { AUTHGATE_SERVICE_TOKEN: token });
    const { service_tokens } = JSON.parse(json.stdout) as { service_tokens: { name: string }[] };
    expect(service_tokens.map((t) => t.name)).toEqual(expect.arrayContaining(['listed-a', 'listed-b']));
    expect(table.stdout + json.stdout).not.toContain(secret);
  }, 30_000);

  it('revokes a token by id; the revoked token is then refused with exit 1 and the contract code', async () => {
    const { token, service_token } = await world.create('revoked');
    const revoked = await cli(['revoke', service_token.id, '--url', url], { AUTHGATE_SERVICE_TOKEN: token });
    expect(revoked).toMatchObject({ code: 0, stdout: `Revoked service token ${service_token.id}.\n` });
    const refused = await cli(['inspect', '--url', url], { AUTHGATE_SERVICE_TOKEN: token });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^authgate-token: .+ \(service_token_invalid, HTTP 401, request [\w-]+\)\n$/);
    const json = await cli(['inspect', '--url', url, '--json'], { AUTHGATE_SERVICE_TOKEN: token });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stderr)).toMatchObject({ error: 'service_token_invalid', status: 401 });
  }, 30_000);

  it('rotates: a new token with the same name and lifetime, printed, then the old one revoked', async () => {
    const old = await world.create('rotated', { days: 90 });
    const run = await cli(['rotate', '--url', url], { ...password, AUTHGATE_SERVICE_TOKEN: old.token });
    expect(run.code).toBe(0);
    const fresh = run.stdout.trim();
    expect(fresh).toMatch(TOKEN);
    expect(fresh).not.toBe(old.token);
    expect(run.stderr).toContain(`Revoked the old token (id ${old.service_token.id}).`);
    const inspected = await cli(['inspect', '--url', url, '--json'], { AUTHGATE_SERVICE_TOKEN: fresh });
    expect(JSON.parse(inspected.stdout).service_token).toMatchObject({
      name: 'rotated',
      days_left: expect.any(Number),
    });
    expect(JSON.parse(inspected.stdout).service_token.days_left).toBeGreaterThanOrEqual(89);
    expect((await cli(['inspect', '--url', url], { AUTHGATE_SERVICE_TOKEN: old.token })).code).toBe(1);

    const json = await cli(['rotate', '--url', url, '--json'], { ...password, AUTHGATE_SERVICE_TOKEN: fresh });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      token: expect.stringMatching(TOKEN),
      service_token: { name: 'rotated' },
      revoked: expect.any(String),
    });
  }, 60_000);

  it('answers a refusal of the gateway with exit 1 and its message, code and request id', async () => {
    const run = await cli(['create', '--url', url, '--user', 'alice', '--name', 'x', '--days', '1'], {
      AUTHGATE_PASSWORD: 'wrong',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^authgate-token: Invalid username or password \(invalid_credentials, HTTP 401, request [\w-]+\)\n$/,
    );
    expect(run.stdout).toBe('');
  }, 30_000);

  it('refuses a wrong command line with a clear message and exit 2, before sending anything', async () => {
    const before = world.gateway.logs.events('http.request').length;
    const cases: [string[], Record<string, string>, string][] = [
      [['frobnicate'], {}, 'Unknown command "frobnicate"'],
      [['create', '--url', url, '--user', 'alice', '--name', 'x'], password, 'create needs --days N or --eternal'],
      [
        ['create', '--url', url, '--user', 'alice', '--name', 'x', '--days', '0'],
        password,
        '--days must be between 1 and 3650',
      ],
      [
        ['create', '--url', url, '--user', 'alice', '--name', 'x', '--days', '2', '--eternal'],
        password,
        'create takes --days N or --eternal, not both',
      ],
      [['create', '--url', url, '--name', 'x', '--days', '2'], password, 'create needs --user NAME'],
      [
        ['create', '--url', url, '--user', 'alice', '--name', 'x', '--days', '2', '--password', 'p'],
        {},
        'A password is never an argument',
      ],
      [
        ['create', '--url', url, '--user', 'alice', '--name', 'x', '--days', '2'],
        {},
        'No password: set AUTHGATE_PASSWORD',
      ],
      [['list'], { AUTHGATE_SERVICE_TOKEN: 'agst_a_b' }, 'No gateway: pass --url URL or set AUTHGATE_URL'],
      [['list', '--url', 'not a url'], {}, '--url: "not a url" is not a URL'],
      [['list', '--url', url, '--bogus'], {}, "list: Unknown option '--bogus'"],
      [['revoke', '--url', url], {}, "revoke takes exactly one argument, the token's id"],
      [['inspect', '--url', url, '--warn-days', 'soon'], {}, '--warn-days must be a whole number of days'],
      [['inspect', '--url', url], {}, 'No service token: set AUTHGATE_SERVICE_TOKEN or pass it on stdin'],
    ];
    const runs = await Promise.all(cases.map(([args, env]) => cli(args, env)));
    runs.forEach((run, i) => {
      expect({ args: cases[i]![0], code: run.code, stdout: run.stdout }).toEqual({
        args: cases[i]![0],
        code: 2,
        stdout: '',
      });
      expect(run.stderr).toContain(`authgate-token: ${cases[i]![2]}`);
      expect(run.stderr).toContain('Run "authgate-token --help" for usage.');
    });
    expect(runs.map((r) => r.stderr).join('')).not.toContain('alice-password');
    expect(world.gateway.logs.events('http.request')).toHaveLength(before);
  }, 60_000);

  it('prints its usage for --help, with exit 0', async () => {
    const run = await cli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: authgate-token <command> \[options\]/);
    for (const command of ['create', 'inspect', 'list', 'revoke', 'rotate'])
      expect(run.stdout).toContain(`  ${command}`);
  }, 30_000);
});

describe('the cli folder', () => {
  it('imports only the contract, the SDK and Node built-ins', () => {
    const src = join(projectRoot(), 'src');
    const dir = join(src, 'cli');
    const outside = readdirSync(dir)
      .filter((name) => name.endsWith('.ts'))
      .flatMap((name) => {
        const file = join(dir, name);
        const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
        return source.statements
          .filter((s) => ts.isImportDeclaration(s) && ts.isStringLiteral(s.moduleSpecifier))
          .map((s) => ((s as ts.ImportDeclaration).moduleSpecifier as ts.StringLiteral).text)
          .filter((spec) => !spec.startsWith('node:') && !/^\.\/|^\.\.\/(contract|client)\//.test(spec))
          .map((spec) => `${relative(src, file)} -> ${spec}`);
      });
    expect(outside).toEqual([]);
  });
});

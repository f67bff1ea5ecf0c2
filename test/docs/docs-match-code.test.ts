import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { literalDefault, shownDefault } from '../../src/config/defaults.js';
import { VARIABLES, type VariableName } from '../../src/config/variables.js';
import { ALL_ERROR_CODES, ERROR_CODES } from '../../src/contract/errors.js';
import { openApiDocument } from '../../src/http/openapi/document.js';
import { projectRoot } from '../../src/support/project-root.js';
import { buildTestGateway } from '../support/gateway.js';

const read = (path: string) => readFileSync(join(projectRoot(), path), 'utf8');

/** The rows of the first Markdown table whose header starts with `header`. */
function tableRows(markdown: string, header: string): string[][] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.startsWith(`| ${header}`));
  expect(start).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .slice(1, -1)
        .split(' | ')
        .map((cell) => cell.trim()),
    );
  }
  return rows;
}

const NAMES = Object.keys(VARIABLES) as VariableName[];

describe('the docs say what the code does', () => {
  it("the README's configuration table lists every variable of the schema with the schema's default and meaning", () => {
    const rows = tableRows(read('README.md'), 'variable | default | meaning');
    expect(rows).toEqual(NAMES.map((name) => [`\`${name}\``, shownDefault(name), VARIABLES[name].meaning]));
  });

  it("the README's configuration section names every override the config folder ships", () => {
    const section = read('README.md').split('\n## Configuration\n')[1]?.split('\n## ')[0] ?? '';
    for (const file of readdirSync(join(projectRoot(), 'config'))) {
      expect(section).toContain(`config/${file}`);
      for (const [name, value] of Object.entries(JSON.parse(read(`config/${file}`)) as Record<string, unknown>))
        expect(section).toContain(`${name}=${String(value)}`);
    }
  });

  it('.env.example names every variable', () => {
    const example = read('.env.example');
    for (const name of NAMES) expect(example).toMatch(new RegExp(`^#? ?${name}=`, 'm'));
  });

  it(".env.example shows each variable's meaning and the schema's default, and a copy of it sets nothing", () => {
    const lines = read('.env.example').split('\n');
    expect(lines.filter((line) => /^\s*[A-Z_]+=/.test(line))).toEqual([]);
    for (const name of NAMES) {
      const at = lines.findIndex((line) => line.startsWith(`# ${name}=`));
      const value = lines[at]?.slice(`# ${name}=`.length);
      const literal = literalDefault(name);
      const shown =
        literal === undefined
          ? {
              meaning: lines[at - 2],
              default: lines[at - 1]?.startsWith(`# default: ${shownDefault(name)}. `),
              example: value === '' || VARIABLES[name].schema.safeParse(value).success,
            }
          : { meaning: lines[at - 1], default: value === literal, example: true };
      expect({ name, ...shown }).toEqual({
        name,
        meaning: `# ${VARIABLES[name].meaning}`,
        default: true,
        example: true,
      });
    }
  });

  it('docs/errors.md lists every error code with its status, and no other', () => {
    const rows = tableRows(read('docs/errors.md'), 'code | status');
    expect(rows.map(([code, status]) => [code, Number(status)])).toEqual(
      ALL_ERROR_CODES.map((code) => [`\`${code}\``, ERROR_CODES[code].status]),
    );
  });

  it('the OpenAPI document is 3.1 and names every error code', () => {
    const document = openApiDocument() as {
      openapi: string;
      components: { schemas: { Error: { properties: { error: { enum: string[] } } } } };
    };
    expect(document.openapi).toBe('3.1.0');
    expect(document.components.schemas.Error.properties.error.enum).toEqual(ALL_ERROR_CODES);
  });

  it('the OpenAPI document describes every route the app serves, and the app serves every route it describes', async () => {
    for (const mode of ['token', 'session'] as const) await describedRoutesAreServed(mode);
  });

  async function describedRoutesAreServed(mode: 'token' | 'session'): Promise<void> {
    const { app } = buildTestGateway({ idpUrl: 'http://127.0.0.1:9', mode });
    const served = await request(app).get('/api/openapi.json');
    expect(served.status).toBe(200);
    const paths = served.body.paths as Record<string, Record<string, unknown>>;
    const described = Object.entries(paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(described.sort()).toEqual(
      [
        'POST /api/auth/login',
        'GET /api/auth/login',
        'GET /api/auth/callback',
        'GET /api/auth/session',
        'POST /api/auth/refresh-token',
        'POST /api/auth/logout',
        'GET /api/auth/me',
        'POST /api/auth/register',
        'POST /api/auth/service-tokens',
        'GET /api/auth/service-tokens',
        'GET /api/auth/service-tokens/current',
        'DELETE /api/auth/service-tokens/{id}',
        'POST /api/auth/service-token/refresh',
        'GET /healthz',
        'GET /readyz',
        'GET /api/openapi.json',
        'GET /api/docs',
      ].sort(),
    );
    // Session mode serves every route; token mode answers not_found to the session-only ones, which say so.
    const sessionOnly = ['GET /api/auth/login', 'GET /api/auth/callback', 'GET /api/auth/session'];
    for (const entry of described) {
      const [method, path] = entry.split(' ') as [string, string];
      const res = await request(app)[method.toLowerCase() as 'get' | 'post'](path).set('X-CSRF', '1').redirects(1);
      const expectServed = mode === 'session' || !sessionOnly.includes(entry);
      expect({ mode, entry, notFound: res.status === 404 && res.body?.error === 'not_found' }).toEqual({
        mode,
        entry,
        notFound: !expectServed,
      });
      if (sessionOnly.includes(entry)) expect(JSON.stringify(paths[path])).toContain('Session mode');
    }
  }

  it('serves Swagger UI at /api/docs', async () => {
    const { app } = buildTestGateway({ idpUrl: 'http://127.0.0.1:9' });
    const res = await request(app).get('/api/docs/').redirects(1);
    expect(res.status).toBe(200);
    expect(res.text).toContain('swagger-ui');
  });
});

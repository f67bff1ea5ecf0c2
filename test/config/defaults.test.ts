import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { literalDefault, schemaDefault, shownDefault } from '../../src/config/defaults.js';
import { loadConfig } from '../../src/config/load-config.js';
import { VARIABLES, type VariableName } from '../../src/config/variables.js';
import { projectRoot } from '../../src/support/project-root.js';

const NAMES = Object.keys(VARIABLES) as VariableName[];
const noFiles = mkdtempSync(join(tmpdir(), 'authgate-config-'));
afterAll(() => rmSync(noFiles, { recursive: true, force: true }));

/** The loaded settings, less the session secret an unset SESSION_SECRET draws at random. */
function settings(env: Record<string, string>): unknown {
  return { ...loadConfig({ env, configDir: noFiles }), sessionSecret: '' };
}

describe('each default lives in the schema alone', () => {
  it('a hand-written shownDefault stands only where the schema has no default of its own', () => {
    const written = NAMES.filter((name) => 'shownDefault' in VARIABLES[name]);
    expect(written.map((name) => ({ name, schemaDefault: schemaDefault(name) }))).toEqual(
      written.map((name) => ({ name, schemaDefault: undefined })),
    );
  });

  it('every default shown as a value gives the gateway the same settings when the variable is set to it', () => {
    const withDefaults = settings({});
    for (const name of NAMES) {
      const value = literalDefault(name);
      if (value === undefined) continue;
      expect({ name, value, settings: settings({ [name]: value }) }).toEqual({ name, value, settings: withDefaults });
    }
  });

  it('shows a variable with no default of its own as unset, and one derived from elsewhere in its own words', () => {
    expect([
      shownDefault('PORT'),
      shownDefault('KEYCLOAK_URL'),
      shownDefault('CORS_ORIGINS'),
      shownDefault('KEYCLOAK_ISSUER'),
    ]).toEqual(['3000', 'unset', 'unset', '`<KEYCLOAK_URL>/realms/<KEYCLOAK_REALM>`']);
  });

  it('the shipped config folder holds per-environment overrides only, none of them a copy of a default', () => {
    const folder = join(projectRoot(), 'config');
    const files = readdirSync(folder);
    expect(files).not.toContain('default.json');
    for (const file of files) {
      expect(file).toMatch(/^[\w-]+\.json$/);
      const entries = Object.entries(JSON.parse(readFileSync(join(folder, file), 'utf8')) as Record<string, unknown>);
      expect(entries.length).toBeGreaterThan(0);
      for (const [name, value] of entries) {
        expect(NAMES).toContain(name);
        const parsed = VARIABLES[name as VariableName].schema.safeParse(value);
        expect({ file, name, accepted: parsed.success }).toEqual({ file, name, accepted: true });
        expect({ file, name, value: parsed.data }).not.toEqual({
          file,
          name,
          value: schemaDefault(name as VariableName),
        });
      }
    }
  });
});

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder holding package.json, config/ and keycloak-realm.json, found the same way whether the code runs from
 * src/ (tsx, Jest) or from dist/src/ (npm start).
 */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'config'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the authgate project folder (package.json next to config/)');
    dir = parent;
  }
}

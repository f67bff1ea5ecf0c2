// Run by `npm start` (prestart): compiles src/ into dist/ only when dist/ is missing or older than its inputs, so
// `npm start` always runs the current sources without paying for a compile on every start.
// Plain Node ESM, no dependencies: it must work before anything is built.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const target = join(root, 'dist', 'src', 'server.js');
const show = (path) => relative(root, path).split('\\').join('/');

/** The newest file among the build's inputs: everything under src/, tsconfig*.json and package.json. */
function newestInput() {
  let newest = { path: '', mtimeMs: -Infinity };
  const consider = (path) => {
    const { mtimeMs } = statSync(path);
    if (mtimeMs > newest.mtimeMs) newest = { path, mtimeMs };
  };
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) consider(path);
    }
  };
  walk(join(root, 'src'));
  for (const name of readdirSync(root)) {
    if (name === 'package.json' || /^tsconfig.*\.json$/.test(name)) consider(join(root, name));
  }
  return newest;
}

function staleReason() {
  if (!existsSync(target)) return `${show(target)} is missing`;
  // An installed package ships dist/ without src/: nothing to build from, run what was shipped.
  if (!existsSync(join(root, 'src'))) return undefined;
  const built = statSync(target).mtimeMs;
  const newest = newestInput();
  return newest.mtimeMs > built ? `${show(newest.path)} is newer than ${show(target)}` : undefined;
}

const reason = staleReason();
if (reason === undefined) {
  console.log('build-if-stale: dist/ is up to date, not building');
  process.exit(0);
}

const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
if (!existsSync(tsc)) {
  console.error(`build-if-stale: must build (${reason}) but TypeScript is not installed: run \`npm install\` first`);
  process.exit(1);
}

const started = Date.now();
const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  // tsc still writes its output when it finds type errors; drop the entry point so the next start builds again
  // instead of running a build that did not pass.
  rmSync(target, { force: true });
  console.error(`build-if-stale: build failed (${reason}); fix the errors above`);
  process.exit(result.status ?? 1);
}
console.log(`build-if-stale: built dist/ in ${((Date.now() - started) / 1000).toFixed(1)}s (${reason})`);

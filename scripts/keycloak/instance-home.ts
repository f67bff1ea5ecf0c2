import { copyFile, mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface InstanceHome {
  /** kc.home.dir of this instance: its own data/ (import folder, transaction logs), the shared build linked in. */
  dir: string;
  kcSh: string;
  realm: string;
  remove(): Promise<void>;
}

/**
 * A home folder per running Keycloak, so that instances of one cached build run side by side, each importing its own
 * realm file: `--import-realm` reads `<kc.home.dir>/data/import` only, and kc.sh takes kc.home.dir from where the
 * script itself lies (symlinks resolved), so the script is copied and the rest of the distribution linked.
 */
export async function createInstanceHome(distribution: string, realmFile: string): Promise<InstanceHome> {
  const realm = realmName(await readFile(realmFile, 'utf8'), realmFile);
  const dir = await mkdtemp(join(tmpdir(), 'authgate-keycloak-'));
  await mkdir(join(dir, 'bin'));
  await copyFile(join(distribution, 'bin', 'kc.sh'), join(dir, 'bin', 'kc.sh'));
  for (const part of ['lib', 'conf', 'themes', 'providers']) await symlink(join(distribution, part), join(dir, part));
  await mkdir(join(dir, 'data', 'import'), { recursive: true });
  // Since 26.2 a file named <realm>-realm.json must hold that realm.
  await copyFile(realmFile, join(dir, 'data', 'import', `${realm}-realm.json`));
  return { dir, kcSh: join(dir, 'bin', 'kc.sh'), realm, remove: () => rm(dir, { recursive: true, force: true }) };
}

function realmName(text: string, file: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} is not JSON: ${(err as Error).message}`);
  }
  const realm = parsed && typeof parsed === 'object' ? (parsed as { realm?: unknown }).realm : undefined;
  if (typeof realm !== 'string' || !/^[\w.-]+$/.test(realm))
    throw new Error(`${file} names no realm ("realm": "<name>")`);
  return realm;
}

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../src/support/project-root.js';
import type { KeycloakReport } from '../keycloak/report.js';
import { renderReport, type Report } from './report.js';

export const BENCHMARKS_DOC = 'docs/benchmarks.md';

/**
 * docs/benchmarks.md from the figures of the last runs: docs/benchmarks.json (`npm run bench`) and, when there is one,
 * docs/benchmarks-keycloak.json (`npm run bench -- --idp keycloak`). Either run rewrites it, keeping the other's.
 */
export function writeBenchmarksDoc(): void {
  const docs = join(projectRoot(), 'docs');
  const read = <T>(file: string): T | undefined =>
    existsSync(join(docs, file)) ? (JSON.parse(readFileSync(join(docs, file), 'utf8')) as T) : undefined;
  const report = read<Report>('benchmarks.json');
  if (!report) return;
  writeFileSync(
    join(projectRoot(), BENCHMARKS_DOC),
    renderReport(report, read<KeycloakReport>('benchmarks-keycloak.json')),
  );
}

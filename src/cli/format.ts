import type { ServiceTokenInfo } from '../contract/service-tokens.js';

const day = (iso: string): string => iso.slice(0, 10);

/** "364 days left (expires 2027-12-01)", or "never expires". */
export function lifetimeText(info: ServiceTokenInfo): string {
  if (info.expires_at === null || info.days_left === null) return 'never expires';
  const days = info.days_left === 1 ? '1 day' : `${info.days_left} days`;
  return `${days} left (expires ${day(info.expires_at)})`;
}

/** One line about a token, for people. */
export function describeToken(info: ServiceTokenInfo): string {
  const used = info.last_used_at ? `last used ${info.last_used_at}` : 'never used';
  return `${info.name} (id ${info.id}) for ${info.owner}: ${lifetimeText(info)}; ${used}`;
}

/** The tokens as a table with a header row, for people. */
export function tokenTable(tokens: ServiceTokenInfo[]): string {
  if (tokens.length === 0) return 'No service tokens.\n';
  const rows = [
    ['ID', 'NAME', 'OWNER', 'EXPIRES', 'DAYS LEFT', 'LAST USED'],
    ...tokens.map((t) => [
      t.id,
      t.name,
      t.owner,
      t.expires_at ? day(t.expires_at) : 'never',
      t.days_left === null ? '-' : String(t.days_left),
      t.last_used_at ?? 'never',
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return (
    rows
      .map((row) =>
        row
          .map((cell, i) => cell.padEnd(widths[i]!))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

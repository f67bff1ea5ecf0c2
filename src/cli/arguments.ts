import { parseArgs, type ParseArgsConfig } from 'node:util';
import { SERVICE_TOKEN_DAYS } from '../contract/service-tokens.js';
import { UsageError } from './usage.js';

/** A service token's lifetime at creation: whole days, or eternal. */
export type Lifetime = { days: number } | { eternal: true };

export type Command =
  | { name: 'help' }
  | { name: 'create'; url: string; json: boolean; user: string; label: string; lifetime: Lifetime }
  | { name: 'inspect'; url: string; json: boolean; warnDays: number }
  | { name: 'list'; url: string; json: boolean }
  | { name: 'revoke'; url: string; json: boolean; id: string }
  | { name: 'rotate'; url: string; json: boolean; user: string | undefined };

type Options = NonNullable<ParseArgsConfig['options']>;
const COMMON: Options = { url: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } };
const OPTIONS: Record<Exclude<Command['name'], 'help'>, Options> = {
  create: {
    ...COMMON,
    user: { type: 'string' },
    name: { type: 'string' },
    days: { type: 'string' },
    eternal: { type: 'boolean' },
  },
  inspect: { ...COMMON, 'warn-days': { type: 'string' } },
  list: COMMON,
  revoke: COMMON,
  rotate: { ...COMMON, user: { type: 'string' } },
};
const POSITIONALS: Record<keyof typeof OPTIONS, number> = { create: 0, inspect: 0, list: 0, revoke: 1, rotate: 0 };

/** The command line, checked in full before anything is sent: a wrong one throws a UsageError naming the fault. */
export function parseCommand(argv: string[], env: Record<string, string | undefined>): Command {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') return { name: 'help' };
  if (!(name in OPTIONS)) throw new UsageError(`Unknown command "${name}"`);
  const command = name as keyof typeof OPTIONS;
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: rest,
      options: OPTIONS[command],
      allowPositionals: true,
      strict: true,
    }) as typeof parsed;
  } catch (err) {
    if (rest.some((arg) => arg === '--password' || arg.startsWith('--password=')))
      throw new UsageError(
        'A password is never an argument: set AUTHGATE_PASSWORD, or answer the prompt on a terminal',
      );
    // node's message goes on to explain `--`, which is no help here.
    throw new UsageError(`${command}: ${(err as Error).message.split('. ')[0]!.replace(/\.$/, '')}`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { name: 'help' };
  if (positionals.length !== POSITIONALS[command])
    throw new UsageError(
      POSITIONALS[command] === 0
        ? `${command} takes no argument (got "${positionals.join(' ')}")`
        : `${command} takes exactly one argument, the token's id`,
    );
  const common = { url: gatewayUrl(values.url as string | undefined, env), json: values.json === true };
  switch (command) {
    case 'create':
      return {
        name: command,
        ...common,
        user: required(values.user, '--user NAME'),
        label: required(values.name, '--name LABEL'),
        lifetime: lifetime(values.days as string | undefined, values.eternal === true),
      };
    case 'inspect':
      return {
        name: command,
        ...common,
        warnDays: wholeNumber(values['warn-days'] as string | undefined, 7, '--warn-days'),
      };
    case 'list':
      return { name: command, ...common };
    case 'revoke':
      return { name: command, ...common, id: positionals[0]! };
    case 'rotate':
      return { name: command, ...common, user: values.user as string | undefined };
  }
}

function gatewayUrl(fromOption: string | undefined, env: Record<string, string | undefined>): string {
  const url = fromOption ?? env.AUTHGATE_URL;
  if (!url) throw new UsageError('No gateway: pass --url URL or set AUTHGATE_URL');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--url: "${url}" is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new UsageError(`--url: "${url}" is not an http(s) URL`);
  return url.replace(/\/+$/, '');
}

function required(value: string | boolean | undefined, option: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`create needs ${option}`);
  return value;
}

function lifetime(days: string | undefined, eternal: boolean): Lifetime {
  if (eternal && days !== undefined) throw new UsageError('create takes --days N or --eternal, not both');
  if (eternal) return { eternal: true };
  if (days === undefined) throw new UsageError('create needs --days N or --eternal');
  const n = wholeNumber(days, 0, '--days');
  if (n < SERVICE_TOKEN_DAYS.min || n > SERVICE_TOKEN_DAYS.max)
    throw new UsageError(`--days must be between ${SERVICE_TOKEN_DAYS.min} and ${SERVICE_TOKEN_DAYS.max}`);
  return { days: n };
}

function wholeNumber(value: string | undefined, fallback: number, option: string): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new UsageError(`${option} must be a whole number of days (got "${value}")`);
  return Number(value);
}

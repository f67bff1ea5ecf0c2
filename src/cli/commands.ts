import { AuthError } from '../client/auth-error.js';
import { createServiceTokenApi, type ServiceTokenApi } from '../client/service-token-api.js';
import { SERVICE_TOKEN_DAYS, type ServiceTokenInfo } from '../contract/service-tokens.js';
import type { Command, Lifetime } from './arguments.js';
import { describeToken, lifetimeText, tokenTable } from './format.js';
import { readPassword, readServiceToken, type CliIo } from './input.js';
import { EXIT } from './usage.js';

type Run<C extends Command['name']> = (
  command: Extract<Command, { name: C }>,
  api: ServiceTokenApi,
  io: CliIo,
) => Promise<number>;

const DAY_MS = 86_400_000;

/** Writes `value` as the one JSON document of a --json run. */
const printJson = (io: CliIo, value: unknown) => io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

const create: Run<'create'> = async (command, api, io) => {
  const password = await readPassword(io, command.user);
  const answer = await api.create({ username: command.user, password, name: command.label, ...command.lifetime });
  if (command.json) printJson(io, { token: answer.token, service_token: answer.service_token });
  else printCreated(io, answer.token, answer.service_token);
  return EXIT.ok;
};

const inspect: Run<'inspect'> = async (command, api, io) => {
  const info = await api.current(await readServiceToken(io));
  const expiring = info.days_left !== null && info.days_left < command.warnDays;
  if (command.json) printJson(io, { service_token: info, warn_days: command.warnDays, expiring });
  else {
    io.stdout.write(`${describeToken(info)}\n`);
    if (expiring) io.stderr.write(`Fewer than ${command.warnDays} days left: replace it (authgate-token rotate).\n`);
  }
  return expiring ? EXIT.expiring : EXIT.ok;
};

const list: Run<'list'> = async (command, api, io) => {
  const tokens = await api.list(await readServiceToken(io));
  if (command.json) printJson(io, { service_tokens: tokens });
  else io.stdout.write(tokenTable(tokens));
  return EXIT.ok;
};

const revoke: Run<'revoke'> = async (command, api, io) => {
  await api.revoke(await readServiceToken(io), command.id);
  if (command.json) printJson(io, { revoked: command.id });
  else io.stdout.write(`Revoked service token ${command.id}.\n`);
  return EXIT.ok;
};

/** A new token like the old one, shown before the old one is revoked, so a failed revocation never loses it. */
const rotate: Run<'rotate'> = async (command, api, io) => {
  const oldToken = await readServiceToken(io);
  const old = await api.current(oldToken);
  const user = command.user ?? old.owner;
  const password = await readPassword(io, user);
  const answer = await api.create({ username: user, password, name: old.name, ...sameLifetime(old) });
  if (!command.json) printCreated(io, answer.token, answer.service_token);
  let failure: AuthError | undefined;
  try {
    await api.revoke(oldToken, old.id);
  } catch (err) {
    if (!(err instanceof AuthError)) throw err;
    failure = err;
  }
  if (command.json)
    printJson(io, {
      token: answer.token,
      service_token: answer.service_token,
      revoked: failure ? null : old.id,
      ...(failure ? { revoke_error: { error: failure.code, message: failure.message } } : {}),
    });
  else if (failure)
    io.stderr.write(`The new token is above, but revoking the old one (id ${old.id}) failed: ${failure.message}\n`);
  else io.stderr.write(`Revoked the old token (id ${old.id}).\n`);
  return failure ? EXIT.failed : EXIT.ok;
};

/** The old token's lifetime at creation, in whole days (within the contract's bounds), or eternal. */
function sameLifetime(old: ServiceTokenInfo): Lifetime {
  if (old.expires_at === null) return { eternal: true };
  const days = Math.round((Date.parse(old.expires_at) - Date.parse(old.created_at)) / DAY_MS);
  return { days: Math.min(SERVICE_TOKEN_DAYS.max, Math.max(SERVICE_TOKEN_DAYS.min, days)) };
}

/** The secret alone on stdout (so `$(authgate-token create ...)` captures it), what it is on stderr. */
function printCreated(io: CliIo, token: string, info: ServiceTokenInfo) {
  io.stderr.write(`Created service token ${info.name} (id ${info.id}) for ${info.owner}: ${lifetimeText(info)}.\n`);
  io.stdout.write(`${token}\n`);
  io.stderr.write('Store it now: it is not shown again.\n');
}

/** Runs a parsed command against the gateway; its exit code. A refusal of the gateway is thrown as an AuthError. */
export function runCommand(command: Exclude<Command, { name: 'help' }>, io: CliIo): Promise<number> {
  const api = createServiceTokenApi({ baseURL: command.url });
  switch (command.name) {
    case 'create':
      return create(command, api, io);
    case 'inspect':
      return inspect(command, api, io);
    case 'list':
      return list(command, api, io);
    case 'revoke':
      return revoke(command, api, io);
    case 'rotate':
      return rotate(command, api, io);
  }
}

import { AuthError } from '../client/auth-error.js';
import { parseCommand, type Command } from './arguments.js';
import { runCommand } from './commands.js';
import type { CliIo } from './input.js';
import { EXIT, USAGE, UsageError } from './usage.js';

/**
 * authgate-token: create, inspect, list, revoke and rotate service tokens. Returns the exit code (see EXIT); a
 * password or a token is never printed, and a new token is printed once.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let command: Command;
  try {
    command = parseCommand(argv, io.env);
  } catch (err) {
    return usageFailure(err, io);
  }
  if (command.name === 'help') {
    io.stdout.write(USAGE);
    return EXIT.ok;
  }
  try {
    return await runCommand(command, io);
  } catch (err) {
    if (err instanceof UsageError) return usageFailure(err, io);
    if (!(err instanceof AuthError)) throw err;
    if (command.json)
      io.stderr.write(
        `${JSON.stringify({ error: err.code, message: err.message, status: err.status, request_id: err.requestId ?? null })}\n`,
      );
    else io.stderr.write(`authgate-token: ${err.message} (${describeFailure(err)})\n`);
    return EXIT.failed;
  }
}

function usageFailure(err: unknown, io: CliIo): number {
  if (!(err instanceof UsageError)) throw err;
  io.stderr.write(`authgate-token: ${err.message}\nRun "authgate-token --help" for usage.\n`);
  return EXIT.usage;
}

function describeFailure(err: AuthError): string {
  const parts: string[] = [err.code];
  if (err.status) parts.push(`HTTP ${err.status}`);
  if (err.requestId) parts.push(`request ${err.requestId}`);
  return parts.join(', ');
}

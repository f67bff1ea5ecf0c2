import { spawn } from 'node:child_process';

/** The last lines of a program's output, for an error message. */
export function tail(text: string, lines = 30): string {
  return text.split('\n').filter(Boolean).slice(-lines).join('\n');
}

/**
 * Runs a short-lived command to its end; rejects with the command and the tail of its output when it fails.
 * Output is kept, not shown: the caller reports progress in its own words.
 */
export function runCommand(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', (err) => reject(new Error(`${command} could not run: ${err.message}`)));
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${[command, ...args].join(' ')} failed (${signal ?? `exit ${code}`}):\n${tail(output)}`));
    });
  });
}

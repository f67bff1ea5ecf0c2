import { UsageError } from './usage.js';

/** What the CLI reads and writes: the process's streams, or a test's. */
export interface CliIo {
  env: Record<string, string | undefined>;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** The password for create and rotate: AUTHGATE_PASSWORD, else a prompt without echo on a terminal. */
export async function readPassword(io: CliIo, user: string): Promise<string> {
  const fromEnv = io.env.AUTHGATE_PASSWORD;
  if (fromEnv) return fromEnv;
  if (!io.stdin.isTTY) throw new UsageError('No password: set AUTHGATE_PASSWORD, or run on a terminal to be asked');
  return promptHidden(io, `Password for ${user}: `);
}

/** The service token: AUTHGATE_SERVICE_TOKEN, else asked for on a terminal, else the first line of stdin. */
export async function readServiceToken(io: CliIo): Promise<string> {
  const fromEnv = io.env.AUTHGATE_SERVICE_TOKEN?.trim();
  if (fromEnv) return fromEnv;
  const token = io.stdin.isTTY ? await promptHidden(io, 'Service token: ') : firstLine(await readAll(io.stdin));
  if (!token) throw new UsageError('No service token: set AUTHGATE_SERVICE_TOKEN or pass it on stdin');
  return token.trim();
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
  return text;
}

const firstLine = (text: string): string => text.split(/\r?\n/).find((line) => line.trim() !== '') ?? '';

/** Reads one line from the terminal without showing it (a secret must not stay on the screen or in scrollback). */
function promptHidden(io: CliIo, question: string): Promise<string> {
  const { stdin } = io;
  return new Promise((resolve, reject) => {
    io.stderr.write(question);
    let value = '';
    const finish = () => {
      stdin.off('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      io.stderr.write('\n');
    };
    const onData = (chunk: Buffer | string) => {
      for (const char of chunk.toString()) {
        if (char === '\r' || char === '\n' || char === '\u0004') {
          finish();
          resolve(value);
          return;
        }
        if (char === '\u0003') {
          finish();
          reject(new UsageError('Cancelled'));
          return;
        }
        value = char === '\u007f' || char === '\b' ? value.slice(0, -1) : value + char;
      }
    };
    stdin.setRawMode?.(true);
    stdin.on('data', onData);
    stdin.resume();
  });
}

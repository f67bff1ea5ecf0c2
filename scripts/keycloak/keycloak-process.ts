import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface KeycloakProcess {
  pid: number;
  /** Settles when kc.sh has exited (it waits for its JVM first). */
  exited: Promise<ProcessExit>;
  hasExited(): boolean;
  /** SIGTERM (kc.sh passes it on to the JVM, which shuts down gracefully), then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Where Linux's setpriv is there, the child gets SIGTERM when this process dies, even by SIGKILL or an unhandled
 * signal (Node runs no exit handler then), so a killed test run or terminal leaves no Keycloak behind.
 */
function parentDeathPrefix(): string[] {
  const help = spawnSync('setpriv', ['--help'], { encoding: 'utf8' });
  return !help.error && help.stdout.includes('--pdeathsig') ? ['setpriv', '--pdeathsig', 'TERM'] : [];
}

/** kc.sh runs the JVM as its child, except after a re-augmentation, when it execs it. */
function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

/** Starts kc.sh with its output written to `logFile`, in the caller's process group (a terminal's Ctrl-C reaches it). */
export function launchKeycloak(
  kcSh: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd: string; logFile: string },
): KeycloakProcess {
  const [command = kcSh, ...prefixArgs] = [...parentDeathPrefix(), kcSh];
  const log = openSync(options.logFile, 'w');
  const child = spawn(command, [...prefixArgs, ...args], {
    env: options.env,
    cwd: options.cwd,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const pid = child.pid ?? 0;
  let done = false;
  // The last word when this process exits normally with Keycloak still running.
  const onExit = () => signal(pid, 'SIGTERM');
  process.on('exit', onExit);
  const exited = new Promise<ProcessExit>((resolve) => {
    const finish = (code: number | null, sig: NodeJS.Signals | null) => {
      done = true;
      process.off('exit', onExit);
      resolve({ code, signal: sig });
    };
    child.once('exit', finish);
    child.once('error', () => finish(null, null));
  });

  return {
    pid,
    exited,
    hasExited: () => done,
    async stop(graceMs = 30_000) {
      if (done) return;
      const jvms = childPids(pid);
      signal(pid, 'SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const killed = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          for (const p of [pid, ...jvms, ...childPids(pid)]) signal(p, 'SIGKILL');
          resolve();
        }, graceMs);
      });
      await Promise.race([exited, killed]);
      clearTimeout(timer);
      await exited;
    },
  };
}

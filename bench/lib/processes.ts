import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../src/support/project-root.js';

/** The gateway runs as `npm start` runs it: the build in dist/ (`npm run bench` builds it first when it is stale). */
export const GATEWAY = 'dist/src/server.js';

export interface Target {
  name: string;
  url: string;
  pid: number;
  /** Resident set size in bytes, read from /proc. */
  rss(): number;
  /** CPU time the process has used so far (user + system, all threads), in milliseconds, read from /proc. */
  cpuMs(): number;
  /** Time its threads alive now have spent runnable but waiting for a CPU, in milliseconds (see processWaitMs). */
  waitMs(): number;
  stop(): Promise<void>;
}

/**
 * Starts a file in a Node process of its own and waits until `healthPath` answers: a TypeScript file through tsx's
 * loader, a built JavaScript file (the gateway, as `npm start` runs it) as it is.
 */
export async function startTarget(
  name: string,
  file: string,
  port: number,
  env: Record<string, string>,
  healthPath = '/healthz',
): Promise<Target> {
  // BENCH_CPU_PROF=<dir> writes a V8 CPU profile of every target when it stops (for flame graphs).
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child: ChildProcess = spawn(
    process.execPath,
    [...profile, ...(file.endsWith('.ts') ? ['--import', 'tsx'] : []), join(projectRoot(), file)],
    {
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'development', LOG_LEVEL: 'warn', ...env, PORT: String(port) },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited: ${stderr}`);
    const ok = await fetch(`${url}${healthPath}`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`${name} did not start: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    name,
    url,
    pid: child.pid ?? 0,
    rss: () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) * 1024,
    cpuMs: () => processCpuMs(child.pid ?? 0),
    waitMs: () => processWaitMs(child.pid ?? 0),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

// /proc/<pid>/stat counts in clock ticks: 100 a second on every Linux this runs on (USER_HZ).
const TICK_MS = 10;

/** CPU time (user + system) a process has used, in milliseconds. */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The fields after the command name, which is in parentheses and may contain spaces: utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

/**
 * Time the threads of a process have spent ready to run but waiting for a CPU (the scheduler's run_delay, summed over
 * /proc/<pid>/task/<tid>/schedstat), in milliseconds: on a machine other work keeps busy, what a process lost to it.
 * Only threads alive now count (one that ended takes its figure with it); NaN where the kernel keeps no such figures.
 */
export function processWaitMs(pid: number): number {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[1]);
      } catch {
        // The thread ended while we read.
      }
    }
    return ns / 1e6;
  } catch {
    return Number.NaN;
  }
}

/**
 * Restricts a process (every thread it has, and every thread it starts later) to the given CPUs with taskset.
 * Returns false when that cannot be done here (no taskset, or fewer CPUs), so the report can say it ran unpinned.
 */
export function pin(pid: number, cpus: string): boolean {
  const result = spawnSync('taskset', ['--all-tasks', '--cpu-list', '--pid', cpus, String(pid)], { stdio: 'ignore' });
  return result.status === 0;
}

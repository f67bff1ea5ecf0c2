// Two ways of doing one thing, timed in alternating rounds in one process: a drift in the machine's speed (a shared
// machine, a CPU's clock) lands on both sides instead of favouring the one measured first.
import { median, spreadPercent } from '../lib/stats.js';

export interface Side {
  name: string;
  /** Does the thing `times` times. */
  run(times: number): Promise<void>;
}

export interface SideBySideOptions {
  rounds: number;
  /** Operations per side and round. */
  perRound: number;
}

export interface SideResult {
  name: string;
  /** CPU time of the process (all threads: garbage collection included) per operation, in µs, one figure per round. */
  cpuUs: number[];
}

/** Runs a warm-up round, then `rounds` rounds in which the sides take turns going first. */
export async function sideBySide(sides: readonly Side[], options: SideBySideOptions): Promise<SideResult[]> {
  const results = sides.map((side) => ({ name: side.name, cpuUs: [] as number[] }));
  for (const side of sides) await side.run(options.perRound);
  for (let round = 0; round < options.rounds; round += 1) {
    const order = sides.map((_, i) => (i + round) % sides.length);
    for (const i of order) {
      const before = process.cpuUsage();
      await sides[i]!.run(options.perRound);
      const used = process.cpuUsage(before);
      results[i]!.cpuUs.push((used.user + used.system) / options.perRound);
    }
  }
  return results;
}

/** One line per side: median µs per operation and the rounds' spread; then each side against the first. */
export function report(results: readonly SideResult[]): string {
  const [base] = results;
  const lines = results.map(
    (r) =>
      `${r.name.padEnd(44)} ${median(r.cpuUs).toFixed(2).padStart(8)} µs CPU/op   spread ${spreadPercent(r.cpuUs).toFixed(0)} %`,
  );
  for (const r of results.slice(1)) {
    if (!base) break;
    const saved = r.cpuUs.map((value, i) => value - (base.cpuUs[i] ?? Number.NaN));
    lines.push(
      `${r.name} minus ${base.name}: median ${median(saved).toFixed(2)} µs/op (rounds from ${Math.min(...saved).toFixed(2)} to ${Math.max(...saved).toFixed(2)})`,
    );
  }
  return lines.join('\n');
}

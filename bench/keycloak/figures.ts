import type { LoadResult } from '../lib/load.js';
import { median, spreadPercent } from '../lib/stats.js';
import type { KeycloakReport } from './report.js';

export interface Recorded {
  runs: Record<string, LoadResult[]>;
  /** Median latency of each round's one-at-a-time run, by scenario. */
  latencies: Record<string, number[]>;
  /** CPU per request of the answering process in each round's one-at-a-time run, by scenario. */
  latencyCpuUs: Record<string, number[]>;
  /** Time per request the answering process waited for a CPU in each round's one-at-a-time run, by scenario. */
  latencyWaitUs: Record<string, number[]>;
}

/**
 * The rounds' figures reduced for the report. Every comparison is made round by round, both sides measured back to
 * back under the same noise, and the median of those is the figure; the rounds' own values are kept beside it.
 */
export function keycloakFigures({
  runs,
  latencies,
  latencyCpuUs,
  latencyWaitUs,
}: Recorded): Pick<
  KeycloakReport,
  'summary' | 'ratios' | 'cpuShare' | 'byRound' | 'latencies' | 'latencyCpuUs' | 'latencyWaitUs' | 'failures'
> {
  const rpsOf = (name: string) => (runs[name] ?? []).map((r) => r.rps);
  const summary = Object.fromEntries(
    Object.entries(runs).map(([name, results]) => {
      const medianOf = (values: (number | undefined)[]) => {
        const known = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
        return known.length > 0 ? median(known) : undefined;
      };
      const cpuOf = (role: 'server' | 'idp' | 'loader') => medianOf(results.map((r) => r.cpuUs?.[role]));
      const waitOf = (role: 'server' | 'idp') => medianOf(results.map((r) => r.waitUs?.[role]));
      return [
        name,
        {
          rps: median(rpsOf(name)),
          spread: spreadPercent(rpsOf(name)),
          p50: median(results.map((r) => r.p50)),
          p99: median(results.map((r) => r.p99)),
          cpuUs: { server: cpuOf('server'), idp: cpuOf('idp'), loader: cpuOf('loader') },
          waitUs: { server: waitOf('server'), idp: waitOf('idp') },
          runs: results,
        },
      ];
    }),
  );
  const pairwise = (a: number[], b: number[], f: (x: number, y: number) => number) =>
    a.slice(0, b.length).map((x, i) => f(x, b[i] ?? Number.NaN));
  const ratio = (x: number, y: number) => x / y;
  const difference = (x: number, y: number) => x - y;
  // The gateway's CPU per request against Keycloak's behind it, in the same run.
  const share = (name: string) =>
    (runs[name] ?? []).map((r) => (r.cpuUs?.server ?? Number.NaN) / (r.cpuUs?.idp ?? Number.NaN));
  const latency = (name: string) => latencies[name] ?? [];
  const byRound = {
    refresh: pairwise(rpsOf('refresh via gateway'), rpsOf('refresh direct'), ratio),
    login: pairwise(rpsOf('login via gateway'), rpsOf('login direct'), ratio),
    refreshCpuShare: share('refresh via gateway'),
    loginCpuShare: share('login via gateway'),
    addedGatewayMs: pairwise(latency('refresh via gateway'), latency('refresh direct'), difference),
    addedRelayMs: pairwise(latency('refresh via bare relay'), latency('refresh direct'), difference),
    aboveRelayMs: pairwise(latency('refresh via gateway'), latency('refresh via bare relay'), difference),
  };
  return {
    summary,
    ratios: { refresh: median(byRound.refresh), login: median(byRound.login) },
    cpuShare: { refresh: median(byRound.refreshCpuShare), login: median(byRound.loginCpuShare) },
    byRound,
    latencies: {
      ...latencies,
      addedGatewayMs: median(byRound.addedGatewayMs),
      addedRelayMs: median(byRound.addedRelayMs),
      aboveRelayMs: median(byRound.aboveRelayMs),
    },
    latencyCpuUs,
    latencyWaitUs,
    failures: Object.entries(runs).flatMap(([name, results]) =>
      results
        .filter((r) => r.errors > 0 || r.non2xx > 0)
        .map((r) => `${name}: ${r.errors} errors, ${r.non2xx} non-2xx answers`),
    ),
  };
}

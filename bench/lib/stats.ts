export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length === 0 ? Number.NaN : sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** The spread of a set of runs as (max − min) / median, in percent. */
export function spreadPercent(values: number[]): number {
  const m = median(values);
  return m > 0 ? ((Math.max(...values) - Math.min(...values)) / m) * 100 : 0;
}

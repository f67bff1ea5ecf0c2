export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length === 0
    ? Number.NaN
    : sorted.length % 2
      ? (sorted[mid] ?? 0)
      : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** The spread of a set of runs as (max − min) / median, in percent. */
export function spreadPercent(values: number[]): number {
  const m = median(values);
  return m > 0 ? ((Math.max(...values) - Math.min(...values)) / m) * 100 : 0;
}

/** The median of the pairwise ratios a[i] / b[i]: runs measured side by side, compared pair by pair. */
export function medianRatio(a: number[], b: number[]): number {
  return median(a.slice(0, b.length).map((value, i) => value / (b[i] ?? Number.NaN)));
}

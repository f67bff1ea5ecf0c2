import type fc from 'fast-check';

/**
 * Options for a bounded fast-check run that can be replayed: a failing run prints its seed and counterexample path,
 * and FC_SEED=<seed> (with FC_PATH=<path>, to go straight to the counterexample) runs it again.
 */
export function replayable<T>(numRuns: number, examples: T[] = []): fc.Parameters<T> {
  const seed = process.env.FC_SEED;
  const path = process.env.FC_PATH;
  return {
    numRuns,
    examples,
    ...(seed === undefined ? {} : { seed: Number(seed) }),
    ...(path === undefined ? {} : { path }),
  };
}

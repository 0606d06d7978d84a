/** Small timing helpers: every figure is the median of several runs. */
export const RUNS = 5;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** A figure over several rounds: each round's value, and their spread. */
export interface Spread {
  readonly rounds: readonly number[];
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

export const spread = (rounds: readonly number[]): Spread => ({
  rounds,
  min: Math.min(...rounds),
  median: median(rounds),
  max: Math.max(...rounds),
});

/**
 * The median of each round's ratio `a / b`, for two figures measured in the same rounds (round i of
 * each taken close together): a machine that drifts, or a disk that stalls for one round, weighs
 * on both figures of that round, and one such round does not decide.
 */
export function pairedRatio(a: Spread, b: Spread): number {
  if (a.rounds.length !== b.rounds.length) throw new Error('Paired figures need the same rounds.');
  return median(a.rounds.map((value, index) => value / b.rounds[index]!));
}

/** Operations per second of `op`, run back to back for `ms`, median of `runs`. */
export async function opsPerSecond(op: () => unknown, { ms = 400, runs = RUNS } = {}): Promise<number> {
  const rates: number[] = [];
  for (let run = 0; run < runs; run++) {
    let count = 0;
    const start = performance.now();
    while (performance.now() - start < ms) {
      const result = op();
      if (result instanceof Promise) await result;
      count++;
    }
    rates.push(count / ((performance.now() - start) / 1000));
  }
  return median(rates);
}

export const round = (value: number, digits = 2) => Number(value.toFixed(digits));

/** A whole number from the environment (for quick smoke runs), or the default. */
export function fromEnv(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`${name} must be a positive number, not ${value}.`);
  return parsed;
}

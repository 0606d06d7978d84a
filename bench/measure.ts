/** Small timing helpers: every figure is the median of several runs. */
export const RUNS = 5;

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
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

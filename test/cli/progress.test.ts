import { describe, expect, it } from 'vitest';
import { formatBytes } from '../../packages/client/src/cli/output.js';
import { formatDuration, progressBar, progressLine } from '../../packages/client/src/cli/progress.js';

describe('the progress line', () => {
  it('shows the bar, percentage, bytes, rate and ETA when the size is known', () => {
    const line = progressLine(256 * 1024 * 1024, 1024 * 1024 * 1024, 2_000);
    expect(line).toBe(`[${'█'.repeat(6)}${'░'.repeat(18)}] 25% | 256.0 MiB / 1.0 GiB | 128.0 MiB/s | ETA 6s`);
    expect(progressLine(0, 100, 0)).toMatch(/\] 0% \| 0 B \/ 100 B \| 0 B\/s \| ETA \?$/);
  });

  it('shows bytes and rate only when the size is not known (stdin)', () => {
    expect(progressLine(3 * 1024 * 1024, undefined, 1_000)).toBe('3.0 MiB | 3.0 MiB/s');
  });

  it('formats durations and sizes for humans', () => {
    expect([formatDuration(400), formatDuration(59_000), formatDuration(61_000), formatDuration(3_725_000)]).toEqual(['0s', '59s', '1m01s', '1h02m']);
    expect([formatBytes(0), formatBytes(1023), formatBytes(1536), formatBytes(5 * 1024 ** 3)]).toEqual(['0 B', '1023 B', '1.5 KiB', '5.0 GiB']);
  });

  it('is off when stderr is not a terminal, or with --quiet', () => {
    const notTty = { isTTY: false } as NodeJS.WriteStream;
    const tty = { isTTY: true } as NodeJS.WriteStream;
    expect(progressBar({ output: 'table', quiet: false }, 10, notTty).onProgress).toBeUndefined();
    expect(progressBar({ output: 'table', quiet: true }, 10, tty).onProgress).toBeUndefined();
  });
});

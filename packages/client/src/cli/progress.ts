import { SingleBar } from 'cli-progress';
import type { ProgressCallback } from '../files.js';
import type { GlobalOptions } from './globals.js';
import { formatBytes } from './output.js';

const BAR_WIDTH = 24;

/** One line of progress: bar and percentage when the size is known, bytes, rate and ETA. */
export function progressLine(done: number, total: number | undefined, elapsedMs: number, amount: (count: number) => string = formatBytes): string {
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const speed = `${amount(Math.round(rate))}/s`;
  if (total === undefined || total <= 0) return `${amount(done)} | ${speed}`;
  const ratio = Math.min(1, done / total);
  const filled = Math.round(ratio * BAR_WIDTH);
  const eta = rate > 0 ? formatDuration(((total - done) / rate) * 1000) : '?';
  return `[${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}] ${Math.floor(ratio * 100)}% | ${amount(done)} / ${amount(total)} | ${speed} | ETA ${eta}`;
}

export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

export interface Progress {
  /** For the client's `onProgress`; undefined when no bar is shown. */
  readonly onProgress?: ProgressCallback;
  /** Stops the bar (idempotent), leaving its last line on the terminal. */
  stop(): void;
}

/**
 * A progress bar on stderr for file work, shown only when stderr is a terminal and not `--quiet`.
 * `total`, when given (an S3 object's length), replaces what the client knows.
 */
export function progressBar(
  options: GlobalOptions,
  total?: number,
  stream: NodeJS.WriteStream = process.stderr,
  amount: (count: number) => string = formatBytes,
): Progress {
  if (options.quiet || !stream.isTTY) return { stop: () => {} };
  let known = total;
  const bar = new SingleBar({
    stream,
    fps: 8,
    hideCursor: true,
    format: (_options, params) => progressLine(params.value, known, Date.now() - params.startTime, amount),
  });
  let running = false;
  return {
    onProgress: (done, reported) => {
      known ??= reported;
      if (!running) {
        bar.start(known ?? 0, 0);
        running = true;
      }
      bar.update(done);
    },
    stop: () => {
      if (!running) return;
      running = false;
      bar.stop();
    },
  };
}

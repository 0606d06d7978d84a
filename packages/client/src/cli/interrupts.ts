import { INTERRUPTING_SIGNALS, InterruptedError, interruptedExitCode } from './errors.js';

/**
 * Runs `work` with a signal that Ctrl-C, kill or a closed terminal aborts, so that the work cleans up
 * (a temporary file removed, an upload aborted) and fails with `InterruptedError`; a second such
 * signal exits at once. `onInterrupt` lets go of what the work may be waiting on (stdin).
 */
export async function untilInterrupted<T>(work: (signal: AbortSignal) => Promise<T>, onInterrupt?: (error: InterruptedError) => void): Promise<T> {
  let interrupted: InterruptedError | undefined;
  const stop = new AbortController();
  const interrupt = (signal: NodeJS.Signals) => {
    interrupted = new InterruptedError(signal);
    stop.abort(interrupted);
    onInterrupt?.(interrupted);
    process.once(signal, () => process.exit(interruptedExitCode(signal))); // a second one does not wait
  };
  for (const signal of INTERRUPTING_SIGNALS) process.once(signal, interrupt);
  try {
    return await work(stop.signal);
  } catch (error) {
    throw interrupted ?? error;
  } finally {
    for (const signal of INTERRUPTING_SIGNALS) process.off(signal, interrupt);
  }
}

import type { ChildProcess } from 'node:child_process';

/** How a supervisor restarts a process that died. */
export interface RestartPolicy {
  /** Restarts in a row (each after a crash before the process stayed up `stableMs`) before giving up. */
  readonly maxRestarts: number;
  /** The wait before the first restart in a row; it doubles for each next one. */
  readonly initialDelayMs: number;
  /** Up this long, the process has recovered: its next crash starts the count again. */
  readonly stableMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = { maxRestarts: 3, initialDelayMs: 500, stableMs: 30_000 };

/** A process that serves once `start` resolves, and what it printed, for the log of its death. */
export interface StartedProcess {
  readonly child: ChildProcess;
  readonly output: () => string;
}

export interface ProcessSpec {
  /** Named in the log, e.g. `DynamoDB Local on port 3002`. */
  readonly name: string;
  /** Starts the process and resolves once it serves; rejects (having stopped it) when it cannot. */
  start(): Promise<StartedProcess>;
  /** @default a line on stderr */
  readonly log?: (line: string) => void;
}

export interface SupervisedProcess {
  /** The running process's id, if one runs. */
  readonly pid: () => number | undefined;
  /** Settles, with the reason, when the supervisor gives up; never after `stop()`. */
  readonly gaveUp: Promise<Error>;
  /** Stops the process for good (SIGTERM, then SIGKILL after `graceMs`); no restart follows. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts a process and starts it again, with the same spec, each time it exits without being
 * stopped: after a backoff, up to `maxRestarts` times in a row, each death and restart logged
 * loudly. Then it gives up (`gaveUp`), so that its owner can stop rather than serve without it.
 * A first start that fails rejects, as an unsupervised start would.
 */
export async function supervise(spec: ProcessSpec, policy: RestartPolicy = DEFAULT_RESTART_POLICY): Promise<SupervisedProcess> {
  const log = spec.log ?? ((line: string) => console.error(line));
  let current: StartedProcess | undefined = await spec.start();
  let startedAt = Date.now();
  let restartsInARow = 0;
  let stopping = false;
  let wakeUp: (() => void) | undefined;
  let starting: Promise<StartedProcess> | undefined;
  let giveUp: (reason: Error) => void = () => {};
  const gaveUp = new Promise<Error>((resolve) => (giveUp = resolve));

  const watch = (started: StartedProcess) => {
    started.child.once('exit', (code, signal) => {
      if (stopping || started !== current) return;
      current = undefined;
      const how = code === null ? `signal ${signal}` : `code ${code}`;
      void recover({ what: `(pid ${started.child.pid}) exited unexpectedly with ${how}`, output: started.output() });
    });
  };

  /** After a death (or a restart that did not come up): back off and start again, or give up. */
  const recover = async ({ what, output }: { what: string; output: string }) => {
    if (Date.now() - startedAt >= policy.stableMs) restartsInARow = 0;
    restartsInARow += 1;
    if (restartsInARow > policy.maxRestarts) {
      log(`[envelope] ${spec.name} ${what}, after ${policy.maxRestarts} restarts in a row; giving up.${lastLines(output)}`);
      giveUp(new Error(`${spec.name} keeps dying: it ${what} after ${policy.maxRestarts} restarts in a row.`));
      return;
    }
    const delayMs = policy.initialDelayMs * 2 ** (restartsInARow - 1);
    log(`[envelope] ${spec.name} ${what}; restarting in ${delayMs} ms (restart ${restartsInARow} of ${policy.maxRestarts}).${lastLines(output)}`);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, delayMs);
      wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    wakeUp = undefined;
    if (stopping) return;
    startedAt = Date.now();
    let restarted: StartedProcess;
    try {
      starting = spec.start();
      restarted = await starting;
    } catch (error) {
      return recover({ what: 'did not start again', output: messageOf(error) });
    } finally {
      starting = undefined;
    }
    if (stopping) return terminate(restarted.child, 0);
    current = restarted;
    watch(restarted);
    log(`[envelope] ${spec.name} restarted (pid ${restarted.child.pid}).`);
  };

  watch(current);
  return {
    pid: () => current?.child.pid,
    gaveUp,
    stop: async (graceMs = 10_000) => {
      stopping = true;
      wakeUp?.();
      if (current) await terminate(current.child, graceMs);
      // A restart under way is stopped once it is up, rather than left running after its owner.
      await starting?.then(
        (started) => terminate(started.child, 0),
        () => undefined,
      );
    },
  };
}

/** SIGTERM, then SIGKILL if it is still running after `graceMs`; resolves once it has exited. */
export async function terminate(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(graceMs > 0 ? 'SIGTERM' : 'SIGKILL');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** The end of what the process printed, indented under the log line. */
function lastLines(output: string, count = 10): string {
  const lines = output.trimEnd().split('\n').filter(Boolean).slice(-count);
  return lines.length === 0 ? '' : `\n${lines.map((line) => `    ${line}`).join('\n')}`;
}

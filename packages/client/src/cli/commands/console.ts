import { type Command, InvalidArgumentError } from 'commander';
import { DEFAULT_IDLE_MS } from '../../console/defaults.js';
import type { ConsoleOptions } from './console-run.js';

export function addConsoleCommand(program: Command): void {
  program
    .command('console')
    .description("a web console on this machine (127.0.0.1 only), signing the browser's calls with your credentials")
    .option('--port <port>', 'the port to listen on; 0 picks a free one', portNumber, 0)
    .option('--no-open', 'print the URL without opening the browser')
    .option('--idle-minutes <minutes>', `stop after this long without a request, at most ${MAX_IDLE_MINUTES}`, idleMinutes, DEFAULT_IDLE_MS / 60_000)
    .option('--audit-log-group <name>', "the audit log group the Activity page queries (default: the one the stack's saved queries name)")
    .addHelpText('after', '\nExample:\n  $ envelope console\n  $ envelope console --port 8443 --no-open')
    // The server and the CloudWatch Logs client load only for this command: every other command's
    // process (a file's above all, whose peak memory is a target) would carry them, about 8 MiB.
    .action(async (options: ConsoleOptions, command: Command) => (await import('./console-run.js')).runConsole(options, command));
}

function portNumber(value: string): number {
  if (!/^[0-9]+$/.test(value) || Number(value) > 65535) throw new InvalidArgumentError('Expected a port, 0 to 65535.');
  return Number(value);
}

/** A week: an idle period is a safeguard, and timers cannot wait past about 24.8 days anyway (they then fire at once). */
const MAX_IDLE_MINUTES = 7 * 24 * 60;

function idleMinutes(value: string): number {
  const number = Number(value);
  if (!/^[0-9.]+$/.test(value) || !(number > 0) || number > MAX_IDLE_MINUTES)
    throw new InvalidArgumentError(`Expected minutes, more than 0 and at most ${MAX_IDLE_MINUTES} (a week).`);
  return number;
}

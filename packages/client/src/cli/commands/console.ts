import { type Command, InvalidArgumentError } from 'commander';
import { awsActivity } from '../../console/activity-aws.js';
import { openBrowser } from '../../console/browser.js';
import { DEFAULT_IDLE_MS, startConsoleServer } from '../../console/server.js';
import { CONSOLE_UI_DIR } from '../../console/ui-dir.js';
import { clientFor, globalOptions } from '../globals.js';

interface ConsoleOptions {
  readonly port: number;
  readonly auditLogGroup?: string;
  readonly open: boolean;
  readonly idleMinutes: number;
}

export function addConsoleCommand(program: Command): void {
  program
    .command('console')
    .description("a web console on this machine (127.0.0.1 only), signing the browser's calls with your credentials")
    .option('--port <port>', 'the port to listen on; 0 picks a free one', portNumber, 0)
    .option('--no-open', 'print the URL without opening the browser')
    .option('--idle-minutes <minutes>', `stop after this long without a request, at most ${MAX_IDLE_MINUTES}`, idleMinutes, DEFAULT_IDLE_MS / 60_000)
    .option('--audit-log-group <name>', "the audit log group the Activity page queries (default: the one the stack's saved queries name)")
    .addHelpText('after', '\nExample:\n  $ envelope console\n  $ envelope console --port 8443 --no-open')
    .action(async (options: ConsoleOptions, command: Command) => {
      const client = clientFor(command);
      // Resolved now, so that missing credentials stop the command as they stop any other (exit 2).
      const signer = signerOf(await client.accessKeyId(), process.env.AWS_PROFILE);
      const server = await startConsoleServer({
        client,
        signer,
        activity: awsActivity(client, options.auditLogGroup),
        port: options.port,
        assetsDir: CONSOLE_UI_DIR,
        idleMs: options.idleMinutes * 60_000,
      });
      const { quiet } = globalOptions(command);
      process.stdout.write(`Envelope console: ${server.url}\n`);
      if (!quiet) process.stderr.write(`It stops after ${options.idleMinutes} min without a request; Ctrl-C stops it now.\n`);
      if (options.open && !(await openBrowser(server.url)) && !quiet) process.stderr.write('Could not open a browser: open the URL above.\n');
      await server.stopped;
      if (!quiet) process.stderr.write(`Stopped after ${options.idleMinutes} min without a request.\n`);
    });
}

function portNumber(value: string): number {
  if (!/^[0-9]+$/.test(value) || Number(value) > 65535) throw new InvalidArgumentError('Expected a port, 0 to 65535.');
  return Number(value);
}

/** `profile prod, AKIA…WXYZ`: enough to tell accounts apart, without the key itself. */
export function signerOf(accessKeyId: string, profile: string | undefined): string {
  const masked = accessKeyId.length > 8 ? `${accessKeyId.slice(0, 4)}…${accessKeyId.slice(-4)}` : '…';
  return profile ? `profile ${profile}, ${masked}` : masked;
}

/** A week: an idle period is a safeguard, and timers cannot wait past about 24.8 days anyway (they then fire at once). */
const MAX_IDLE_MINUTES = 7 * 24 * 60;

function idleMinutes(value: string): number {
  const number = Number(value);
  if (!/^[0-9.]+$/.test(value) || !(number > 0) || number > MAX_IDLE_MINUTES)
    throw new InvalidArgumentError(`Expected minutes, more than 0 and at most ${MAX_IDLE_MINUTES} (a week).`);
  return number;
}

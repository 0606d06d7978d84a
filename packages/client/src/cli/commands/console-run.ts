import type { Command } from 'commander';
import { awsActivity } from '../../console/activity-aws.js';
import { openBrowser } from '../../console/browser.js';
import { startConsoleServer } from '../../console/server.js';
import { CONSOLE_UI_DIR } from '../../console/ui-dir.js';
import { clientFor, globalOptions } from '../globals.js';

export interface ConsoleOptions {
  readonly port: number;
  readonly auditLogGroup?: string;
  readonly open: boolean;
  readonly idleMinutes: number;
}

/** `envelope console`: serves the console until it has been idle for `idleMinutes`. */
export async function runConsole(options: ConsoleOptions, command: Command): Promise<void> {
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
}

/** `profile prod, AKIA…WXYZ`: enough to tell accounts apart, without the key itself. */
export function signerOf(accessKeyId: string, profile: string | undefined): string {
  const masked = accessKeyId.length > 8 ? `${accessKeyId.slice(0, 4)}…${accessKeyId.slice(-4)}` : '…';
  return profile ? `profile ${profile}, ${masked}` : masked;
}

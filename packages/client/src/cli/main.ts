import { CommanderError } from 'commander';
import { failureOf, formatFailure } from './errors.js';
import { createProgram } from './program.js';

/** `envelope` (bin/envelope.js runs this): the command, then its exit code (EXIT_CODES), an error on one line of stderr. */
async function main(argv: readonly string[]): Promise<number> {
  try {
    await createProgram().parseAsync([...argv]);
    return 0;
  } catch (error) {
    const failure = failureOf(error);
    // Commander has printed its own message (and help) already.
    if (!(error instanceof CommanderError)) process.stderr.write(`${formatFailure(failure)}\n`);
    return failure.exitCode;
  }
}

// A stream that cannot be written (a closed terminal after SIGHUP, a reader that went away) must not
// turn the exit code into a crash: each write to stdout reports its own error (output.ts), and help
// text that `| head` stopped reading is no failure.
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});
process.exitCode = await main(process.argv);

#!/usr/bin/env node
import { CommanderError } from 'commander';
import { failureOf, formatFailure } from './errors.js';
import { createProgram } from './program.js';

/** `envelope`: runs the command, then exits with the code docs/cli.md documents, an error on one line of stderr. */
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

// A stderr that cannot be written (a closed terminal, after SIGHUP) must not turn the exit code into a crash.
process.stderr.on('error', () => {});
process.exitCode = await main(process.argv);

#!/usr/bin/env -S node --max-old-space-size=64
// The CLI's own heap never holds more than a page of keys or one 4 MiB value. V8 lets freed Buffer
// memory wait for a collection in proportion to the heap limit: with the default limit, streaming
// a file keeps tens of MiB of spent frames resident; with this one, about a third of that.
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

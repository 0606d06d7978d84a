import { resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { Command } from 'commander';
import type { EncryptionContext } from '../../../../../contract/index.js';
import type { EnvelopeClient } from '../../client.js';
import type { FileOptions, ProgressCallback } from '../../files.js';
import { DEFAULT_FRAME_SIZE, MAX_FRAME_SIZE, MIN_FRAME_SIZE } from '../../file-format/index.js';
import { UsageError } from '../errors.js';
import { untilInterrupted } from '../interrupts.js';
import { clientFor, collectPair, globalOptions, positiveInteger } from '../globals.js';
import { checkOutput, describeLocation, type Location, openSource, parseLocation, s3Client, writeTo } from '../locations.js';
import { formatBytes, inform, print } from '../output.js';
import { progressBar } from '../progress.js';

interface FileCommandOptions {
  key?: string;
  context?: EncryptionContext;
  frameSize?: number;
}

type Run = (client: EnvelopeClient, input: string | Readable, output: string | Writable, fileOptions: FileOptions) => Promise<void>;

/** `envelope encrypt-file|decrypt-file IN OUT`: any size, one API call per file; paths, `-` or s3://bucket/key on either side. */
export function addFileCommands(program: Command): void {
  program
    .command('encrypt-file')
    .description('encrypt a file of any size into the envelope file format, under a fresh data key (one API call)')
    .argument('<in>', 'plaintext: a path, - for stdin, or s3://bucket/key')
    .argument('<out>', 'encrypted file: a path (written complete or not at all), - for stdout, or s3://bucket/key (multipart upload)')
    .requiredOption('-k, --key <key>', 'key id or alias/<name>')
    .option('-c, --context <key=value>', 'an encryption context pair, stored in the file and bound to it (repeatable)', collectPair)
    .option(
      '--frame-size <bytes>',
      `plaintext bytes per frame, ${MIN_FRAME_SIZE}..${MAX_FRAME_SIZE} (default ${DEFAULT_FRAME_SIZE})`,
      positiveInteger,
    )
    .addHelpText(
      'after',
      '\nExample:\n' +
        '  $ envelope encrypt-file --key alias/orders --context file=big.bin big.bin big.bin.env\n' +
        '  $ tar c photos | envelope encrypt-file -k alias/orders - s3://backups/photos.tar.env',
    )
    .action(async (input: string, output: string, options: FileCommandOptions, command: Command) => {
      if (options.frameSize !== undefined && (options.frameSize < MIN_FRAME_SIZE || options.frameSize > MAX_FRAME_SIZE)) {
        throw new UsageError(`--frame-size must be between ${MIN_FRAME_SIZE} and ${MAX_FRAME_SIZE}.`);
      }
      await transfer(command, 'encrypted', input, output, (client, source, sink, fileOptions) =>
        client.encryptFile(source, sink, { keyId: options.key!, context: options.context, frameSize: options.frameSize, ...fileOptions }),
      );
    });

  program
    .command('decrypt-file')
    .description('decrypt a file in the envelope file format (one API call, for its data key)')
    .argument('<in>', 'encrypted file: a path, - for stdin, or s3://bucket/key')
    .argument('<out>', 'plaintext: a path (renamed into place only once every frame verified), - for stdout, or s3://bucket/key')
    .option('-c, --context <key=value>', 'refuse the file unless its encryption context is exactly these pairs (repeatable)', collectPair)
    .addHelpText(
      'after',
      '\nExample:\n' +
        '  $ envelope decrypt-file big.bin.env big.copy\n' +
        '  $ envelope decrypt-file s3://backups/photos.tar.env - | tar x\n' +
        '\nTo stdout, frames are written as they verify: if a later frame fails, earlier ones are already\n' +
        'written and the exit code is 4; discard the output whenever the exit code is not 0.',
    )
    .action(async (input: string, output: string, options: FileCommandOptions, command: Command) => {
      await transfer(command, 'decrypted', input, output, (client, source, sink, fileOptions) =>
        client.decryptFile(source, sink, { expectedContext: options.context, ...fileOptions }),
      );
    });
}

async function transfer(command: Command, verb: string, inputText: string, outputText: string, run: Run): Promise<void> {
  const options = globalOptions(command);
  const input = parseLocation(inputText);
  const output = parseLocation(outputText);
  if (input.kind === 'file' && output.kind === 'file' && resolve(input.path) === resolve(output.path))
    throw new UsageError('The input and the output are the same file.');
  const client = clientFor(command);
  await checkOutput(output);
  let s3: ReturnType<typeof s3Client> | undefined;
  const s3Once = () => (s3 ??= s3Client(options));
  const source = await openSource(input, s3Once);
  const progress = progressBar(options, source.size);
  let bytes = 0;
  const onProgress: ProgressCallback = (done, total) => {
    bytes = done;
    progress.onProgress?.(done, total);
  };
  // Ctrl-C, kill, a closed terminal: stop, so that the client removes its temporary file (or the upload is aborted).
  const destroyInput = (interrupted: Error) => {
    if (typeof source.input !== 'string') source.input.destroy(interrupted); // stdin may be waiting for input that never comes
  };
  try {
    await untilInterrupted(
      (signal) => writeTo(output, s3Once, source.size, (sink) => run(client, source.input, sink, { onProgress, signal })),
      destroyInput,
    );
  } finally {
    progress.stop();
    (await s3?.catch(() => undefined))?.destroy();
  }
  if (output.kind !== 'stdio') await report(command, verb, input, output, bytes);
}

/** A line for humans on stderr, or the JSON summary on stdout (never when stdout carries the data). */
async function report(command: Command, verb: string, input: Location, output: Location, bytes: number): Promise<void> {
  const options = globalOptions(command);
  const from = describeLocation(input, 'stdin');
  const to = describeLocation(output, 'stdout');
  if (options.output === 'json') await print(options, { input: from, output: to, bytesRead: bytes }, () => '');
  else inform(options, `${verb} ${from} (${formatBytes(bytes)}) -> ${to}`);
}

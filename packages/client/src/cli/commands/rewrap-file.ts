import type { Command } from 'commander';
import type { EncryptionContext } from '../../../../../contract/index.js';
import type { RewrapFileResult } from '../../rewrap-file.js';
import { UsageError } from '../errors.js';
import { clientFor, collectPair, globalOptions } from '../globals.js';
import { untilInterrupted } from '../interrupts.js';
import { type Location, parseLocation, s3Client } from '../locations.js';
import { inform, print } from '../output.js';

interface RewrapFileCommandOptions {
  readonly context?: EncryptionContext;
}

/** `envelope rewrap-file IN [OUT]`: an encrypted file moved to its key's current version by its header alone. */
export function addRewrapFileCommand(program: Command): void {
  program
    .command('rewrap-file')
    .description("move an encrypted file to its key's current version by its header alone: the body is copied unchanged (two API calls)")
    .argument('<in>', 'encrypted file: a path, or s3://bucket/key (rewrapped in place, its body copied by S3 itself)')
    .argument('[out]', 'where to write the rewrapped file (default: in place, replaced only once complete); a path')
    .option('-c, --context <key=value>', 'refuse the file unless its encryption context is exactly these pairs (repeatable)', collectPair)
    .addHelpText(
      'after',
      '\nExample:\n' +
        '  $ envelope rewrap-file big.bin.env\n' +
        '  $ envelope rewrap-file --context file=big.bin big.bin.env rewrapped.env\n' +
        '  $ envelope rewrap-file s3://backups/photos.tar.env\n' +
        '\nA file already at the current version is left as it is when rewrapped in place.',
    )
    .action(async (inputText: string, outputText: string | undefined, options: RewrapFileCommandOptions, command: Command) => {
      const global = globalOptions(command);
      const input = parseLocation(inputText);
      const client = clientFor(command);
      const fileOptions = { expectedContext: options.context };
      let described: { input: string; output: string };
      let result: RewrapFileResult & { bytesTransferred?: number };
      if (input.kind === 's3') {
        if (outputText !== undefined && outputText !== inputText) throw new UsageError('An S3 object is rewrapped in place: give no OUT.');
        const s3 = await s3Client(global);
        try {
          result = await untilInterrupted((signal) => client.rewrapS3Object(s3, input, { ...fileOptions, signal }));
        } finally {
          s3.destroy();
        }
        described = { input: inputText, output: inputText };
      } else {
        const path = localPath(input);
        const output = outputText === undefined ? path : localPath(parseLocation(outputText));
        result = await untilInterrupted((signal) => client.rewrapFile(path, output, { ...fileOptions, signal }));
        described = { input: path, output };
      }
      if (global.output === 'json') await print(global, { ...described, ...result }, () => '');
      else inform(global, describe(described.input, described.output, result));
    });
}

function localPath(location: Location): string {
  if (location.kind === 'stdio')
    throw new UsageError('rewrap-file takes a path or s3://bucket/key, not - (a stream has no header to replace in place).');
  if (location.kind === 's3') throw new UsageError('A local file is rewrapped into a path, not into S3.');
  return location.path;
}

function describe(input: string, output: string, { keyId, keyVersion, previousKeyVersion, rewritten }: RewrapFileResult): string {
  if (!rewritten) return `${input}: already at version ${keyVersion} of key ${keyId}, left as it is`;
  return `rewrapped ${input}${output === input ? '' : ` -> ${output}`}: key ${keyId}, version ${previousKeyVersion} -> ${keyVersion}`;
}

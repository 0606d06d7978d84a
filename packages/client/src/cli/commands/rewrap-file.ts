import type { Command } from 'commander';
import type { EncryptionContext } from '../../../../../contract/index.js';
import type { RewrapFileResult } from '../../rewrap-file.js';
import { UsageError } from '../errors.js';
import { clientFor, collectPair, globalOptions } from '../globals.js';
import { untilInterrupted } from '../interrupts.js';
import { type Location, parseLocation } from '../locations.js';
import { inform, print } from '../output.js';

interface RewrapFileCommandOptions {
  readonly context?: EncryptionContext;
}

/** `envelope rewrap-file IN [OUT]`: an encrypted file moved to its key's current version by its header alone. */
export function addRewrapFileCommand(program: Command): void {
  program
    .command('rewrap-file')
    .description("move an encrypted file to its key's current version by its header alone: the body is copied unchanged (two API calls)")
    .argument('<in>', 'encrypted file: a path')
    .argument('[out]', 'where to write the rewrapped file (default: in place, replaced only once complete)')
    .option('-c, --context <key=value>', 'refuse the file unless its encryption context is exactly these pairs (repeatable)', collectPair)
    .addHelpText(
      'after',
      '\nExample:\n' +
        '  $ envelope rewrap-file big.bin.env\n' +
        '  $ envelope rewrap-file --context file=big.bin big.bin.env rewrapped.env\n' +
        '\nA file already at the current version is left as it is when rewrapped in place.',
    )
    .action(async (inputText: string, outputText: string | undefined, options: RewrapFileCommandOptions, command: Command) => {
      const input = localPath(inputText);
      const output = outputText === undefined ? input : localPath(outputText);
      const client = clientFor(command);
      const result = await untilInterrupted((signal) => client.rewrapFile(input, output, { expectedContext: options.context, signal }));
      const global = globalOptions(command);
      if (global.output === 'json') await print(global, { input, output, ...result }, () => '');
      else inform(global, describe(input, output, result));
    });
}

function localPath(text: string): string {
  const location: Location = parseLocation(text);
  if (location.kind !== 'file')
    throw new UsageError('rewrap-file takes paths: not - (a stream has no header to replace in place) nor s3:// (not yet).');
  return location.path;
}

function describe(input: string, output: string, { keyId, keyVersion, previousKeyVersion, rewritten }: RewrapFileResult): string {
  if (!rewritten) return `${input}: already at version ${keyVersion} of key ${keyId}, left as it is`;
  return `rewrapped ${input}${output === input ? '' : ` -> ${output}`}: key ${keyId}, version ${previousKeyVersion} -> ${keyVersion}`;
}

import type { Command } from 'commander';
import type { EncryptionContext } from '../../../../../contract/index.js';
import { UsageError } from '../errors.js';
import { clientFor, collectPair, globalOptions } from '../globals.js';
import { print, writeStdout } from '../output.js';
import { readStdin } from '../stdin.js';

const CONTEXT_HELP = 'an encryption context pair, bound to the ciphertext and required to decrypt it (repeatable)';

interface ValueOptions {
  key?: string;
  context?: EncryptionContext;
  base64?: boolean;
}

/** `envelope encrypt|decrypt|rewrap`: values up to the API's request limit (4 MiB), for more use the file commands. */
export function addValueCommands(program: Command): void {
  program
    .command('encrypt')
    .description('encrypt a small value (the API takes up to 4 MiB) and print its ciphertext token')
    .argument('[value]', 'the plaintext; omitted or - reads stdin (bytes as they are, a trailing newline included)')
    .requiredOption('-k, --key <key>', 'key id or alias/<name>')
    .option('-c, --context <key=value>', CONTEXT_HELP, collectPair)
    .option('--base64', 'the value is base64: the bytes it encodes are encrypted')
    .addHelpText(
      'after',
      '\nExample:\n' +
        '  $ envelope encrypt --key alias/orders --context tenant=acme "card data"\n' +
        '  ev2.…\n' +
        '  $ printf secret | envelope encrypt --key alias/orders > secret.token',
    )
    .action(async (value: string | undefined, options: ValueOptions, command: Command) => {
      const plaintext = await plaintextOf(value, options.base64 === true);
      const sealed = await clientFor(command).encrypt(options.key!, plaintext, options.context);
      await print(globalOptions(command), sealed, () => sealed.ciphertext);
    });

  program
    .command('decrypt')
    .description('decrypt a ciphertext token and write its plaintext to stdout, exactly (nothing added)')
    .argument('[token]', 'the ciphertext token; omitted or - reads stdin')
    .option('-c, --context <key=value>', 'the encryption context it was encrypted with (repeatable)', collectPair)
    .option('--base64', 'print the plaintext in base64, with a newline')
    .addHelpText(
      'after',
      '\nExample:\n' +
        '  $ envelope decrypt --context tenant=acme "$(cat secret.token)"\n' +
        '  $ envelope decrypt < secret.token --output json   # {"plaintext": "<base64>", "keyId", "keyVersion"}',
    )
    .action(async (token: string | undefined, options: ValueOptions, command: Command) => {
      const opened = await clientFor(command).decrypt(await tokenOf(token), options.context);
      const global = globalOptions(command);
      if (global.output === 'json') {
        await print(global, { plaintext: opened.plaintext.toString('base64'), keyId: opened.keyId, keyVersion: opened.keyVersion }, () => '');
      } else if (options.base64) {
        await writeStdout(`${opened.plaintext.toString('base64')}\n`);
      } else {
        await writeStdout(opened.plaintext);
      }
    });

  program
    .command('rewrap')
    .description("re-encrypt a ciphertext token under its key's current version, without revealing the plaintext")
    .argument('[token]', 'the ciphertext token; omitted or - reads stdin')
    .option('-c, --context <key=value>', 'the encryption context it was encrypted with (repeatable)', collectPair)
    .addHelpText('after', '\nExample:\n  $ envelope keys rotate alias/orders\n  $ envelope rewrap --context tenant=acme < old.token > new.token')
    .action(async (token: string | undefined, options: ValueOptions, command: Command) => {
      const sealed = await clientFor(command).rewrap(await tokenOf(token), options.context);
      await print(globalOptions(command), sealed, () => sealed.ciphertext);
    });
}

async function plaintextOf(value: string | undefined, base64: boolean): Promise<Buffer> {
  const raw = value === undefined || value === '-' ? await readStdin() : Buffer.from(value, 'utf8');
  if (!base64) return raw;
  const text = raw.toString('utf8').trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw new UsageError('The value is not base64.');
  return Buffer.from(text, 'base64');
}

/** A token from the argument or stdin, whitespace around it ignored (tokens have none). */
async function tokenOf(token: string | undefined): Promise<string> {
  const text = (token === undefined || token === '-' ? (await readStdin()).toString('utf8') : token).trim();
  if (text === '') throw new UsageError('No ciphertext token: pass it as an argument or on stdin.');
  return text;
}

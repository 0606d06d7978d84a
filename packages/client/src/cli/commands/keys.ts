import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { KeyMetadata, KeyPolicy, KeySummary } from '../../../../../contract/index.js';
import { UsageError } from '../errors.js';
import { clientFor, collectList, collectPair, globalOptions, positiveInteger } from '../globals.js';
import { fields, keyListTable, keyTable, keyVersionsTable, policyTable, print } from '../output.js';
import { readStdin } from '../stdin.js';

const example = (lines: string): string => `\nExample:\n${lines}`;

export function addKeyCommands(program: Command): void {
  const keys = program
    .command('keys')
    .description('create, list, show and manage keys and their policies')
    .addHelpText('after', example('  $ envelope keys create --alias orders --tag team=payments\n  $ envelope keys list --output json'));

  keys
    .command('create')
    .description('create a key; you become its admin and user')
    .option('--alias <name>', 'an alias, used as alias/<name>')
    .option('--description <text>', 'a description')
    .option('--tag <key=value>', 'a tag (repeatable)', collectPair)
    .addHelpText('after', example('  $ envelope keys create --alias orders --description "order data" --tag team=payments'))
    .action(async (options: { alias?: string; description?: string; tag?: Record<string, string> }, command: Command) => {
      const key = await clientFor(command).createKey({ alias: options.alias, description: options.description, tags: options.tag });
      await print(globalOptions(command), key, () => keyTable(key));
    });

  keys
    .command('list')
    .description('list your keys (every page, unless --limit or --next-token asks for one)')
    .option('--tag <key:value>', 'only keys carrying this tag, e.g. team:payments')
    .option('--limit <n>', 'one page of at most n keys', positiveInteger)
    .option('--next-token <token>', 'the page after the one that answered this token')
    .addHelpText(
      'after',
      example('  $ envelope keys list --tag team:payments\n  $ envelope keys list --limit 10 --output json   # one page, with its nextToken'),
    )
    .action(async (options: { tag?: string; limit?: number; nextToken?: string }, command: Command) => {
      const client = clientFor(command);
      const onePage = options.limit !== undefined || options.nextToken !== undefined;
      const all: (KeyMetadata | KeySummary)[] = [];
      let nextToken = options.nextToken;
      do {
        const page = await client.listKeys({ tag: options.tag, limit: options.limit, nextToken });
        all.push(...page.keys);
        nextToken = page.nextToken;
      } while (!onePage && nextToken !== undefined);
      const result = { keys: all, ...(nextToken !== undefined && { nextToken }) };
      await print(
        globalOptions(command),
        result,
        () => keyListTable(all) + (nextToken === undefined ? '' : `\nnext page: --next-token ${nextToken}`),
      );
    });

  keys
    .command('show')
    .description("a key's metadata: state, versions, policy, tags")
    .argument('<key>', 'key id or alias/<name>')
    .addHelpText('after', example('  $ envelope keys show alias/orders'))
    .action(async (key: string, _options: object, command: Command) => {
      const metadata = await clientFor(command).getKey(key);
      await print(globalOptions(command), metadata, () => keyTable(metadata));
    });

  keys
    .command('policy')
    .description("show a key's policy, or replace it (admins may manage the key, users may use it)")
    .argument('<key>', 'key id or alias/<name>')
    .option('--file <path>', 'replace the policy with this JSON file ({"admins": [...], "users": [...]}; - for stdin)')
    .option('--admin <arn>', 'replace the admins with these principals (repeatable)', collectList)
    .option('--user <arn>', 'replace the users with these principals (repeatable)', collectList)
    .option('--add-user <arn>', 'add a user to the current policy (repeatable)', collectList)
    .option('--remove-user <arn>', 'remove a user from the current policy (repeatable)', collectList)
    .option('--bypass-lockout-safety-check', 'allow a policy that leaves you without admin rights')
    .addHelpText(
      'after',
      example(
        '  $ envelope keys policy alias/orders\n' +
          '  $ envelope keys policy alias/orders --add-user arn:aws:iam::111122223333:user/teammate\n' +
          '  $ envelope keys policy alias/orders --file policy.json',
      ),
    )
    .action(async (key: string, options: PolicyOptions, command: Command) => {
      const client = clientFor(command);
      const changes = [options.file, options.admin, options.user, options.addUser, options.removeUser].some((o) => o !== undefined);
      const current = await client.getKey(key);
      if (!changes) {
        await print(globalOptions(command), current.policy, () => policyTable(current.policy));
        return;
      }
      const policy = await newPolicy(current.policy, options);
      const updated = await client.putKeyPolicy(key, policy, options.bypassLockoutSafetyCheck ? { bypassLockoutSafetyCheck: true } : {});
      await print(globalOptions(command), updated.policy, () => policyTable(updated.policy));
    });

  keys
    .command('rotate')
    .description('add a key version: new encryptions use it, older ciphertexts still decrypt')
    .argument('<key>', 'key id or alias/<name>')
    .addHelpText('after', example('  $ envelope keys rotate alias/orders'))
    .action(async (key: string, _options: object, command: Command) => {
      const rotated = await clientFor(command).rotateKey(key);
      await print(globalOptions(command), rotated, () =>
        fields([
          ['keyId', rotated.keyId],
          ['createdVersion', rotated.createdVersion],
          ['currentVersion', rotated.currentVersion],
        ]),
      );
    });

  const stateCommand = (name: string, description: string, call: (client: ReturnType<typeof clientFor>, key: string) => Promise<KeyMetadata>) =>
    keys
      .command(name)
      .description(description)
      .argument('<key>', 'key id or alias/<name>')
      .addHelpText('after', example(`  $ envelope keys ${name} alias/orders`))
      .action(async (key: string, _options: object, command: Command) => {
        const metadata = await call(clientFor(command), key);
        await print(globalOptions(command), metadata, () => stateTable(metadata));
      });
  stateCommand('disable', 'disable a key: nothing encrypts or decrypts with it until enabled', (client, key) => client.disableKey(key));
  stateCommand('enable', 'enable a disabled key', (client, key) => client.enableKey(key));
  stateCommand('cancel-deletion', 'cancel a scheduled deletion (the key comes back disabled)', (client, key) => client.cancelKeyDeletion(key));

  keys
    .command('schedule-deletion')
    .description('schedule the deletion of a key after a waiting period; it cannot be used meanwhile')
    .argument('<key>', 'key id or alias/<name>')
    .option('--days <n>', 'the waiting period in days (the API decides the default and the bounds)', positiveInteger)
    .addHelpText('after', example('  $ envelope keys schedule-deletion alias/orders --days 7'))
    .action(async (key: string, options: { days?: number }, command: Command) => {
      const metadata = await clientFor(command).scheduleKeyDeletion(key, options.days);
      await print(globalOptions(command), metadata, () => stateTable(metadata));
    });

  keys
    .command('retire-versions')
    .description('retire the versions below N: their ciphertexts no longer decrypt or rewrap until N is lowered again')
    .argument('<key>', 'key id or alias/<name>')
    .option('--below <n>', "N, the key's new minDecryptionVersion: the oldest version that still decrypts (at most the current one)", positiveInteger)
    .option('--min-decryption-version <n>', 'the same as --below', positiveInteger)
    .addHelpText(
      'after',
      '\nRewrap the data under the old versions first (rewrap-file, rewrap-s3); a ciphertext of a retired version\n' +
        'answers KeyVersionRetired (exit 1). A lower N enables versions again, down to the first one not\n' +
        'destroyed or pending destruction (cancel-destroy cancels a pending destruction).\n' +
        example('  $ envelope keys retire-versions alias/orders --below 3   # versions 1 and 2 retired'),
    )
    .action(async (key: string, options: { below?: number; minDecryptionVersion?: number }, command: Command) => {
      const { below, minDecryptionVersion } = options;
      if (below !== undefined && minDecryptionVersion !== undefined) throw new UsageError('--min-decryption-version is --below: give one of them.');
      const version = below ?? minDecryptionVersion;
      if (version === undefined) throw new UsageError('Give --below N: the versions below N are retired (N = 1 retires none).');
      const metadata = await clientFor(command).retireKeyVersions(key, version);
      await print(globalOptions(command), metadata, () => keyVersionsTable(metadata));
    });

  keys
    .command('destroy-versions')
    .description('schedule the destruction of every retired version after a waiting period; then their ciphertexts can never be decrypted')
    .argument('<key>', 'key id or alias/<name>')
    .option('--days <n>', "the waiting period in days (7 to 30; the API's default 30)", positiveInteger)
    .addHelpText('after', example('  $ envelope keys destroy-versions alias/orders --days 7'))
    .action(async (key: string, options: { days?: number }, command: Command) => {
      const metadata = await clientFor(command).scheduleKeyVersionDestruction(key, options.days);
      await print(globalOptions(command), metadata, () => keyVersionsTable(metadata));
    });

  keys
    .command('cancel-destroy')
    .description('cancel a scheduled destruction of versions: they are retired again')
    .argument('<key>', 'key id or alias/<name>')
    .addHelpText('after', example('  $ envelope keys cancel-destroy alias/orders'))
    .action(async (key: string, _options: object, command: Command) => {
      const metadata = await clientFor(command).cancelKeyVersionDestruction(key);
      await print(globalOptions(command), metadata, () => keyVersionsTable(metadata));
    });
}

interface PolicyOptions {
  file?: string;
  admin?: string[];
  user?: string[];
  addUser?: string[];
  removeUser?: string[];
  bypassLockoutSafetyCheck?: boolean;
}

const stateTable = (key: KeyMetadata): string =>
  fields([
    ['keyId', key.keyId],
    ['alias', key.alias],
    ['state', key.state],
    ['deletionDate', key.deletionDate],
  ]);

/** The policy to put: a file's as a whole, or the current one with the options' changes. */
async function newPolicy(current: KeyPolicy, options: PolicyOptions): Promise<KeyPolicy> {
  if (options.file !== undefined) {
    if ([options.admin, options.user, options.addUser, options.removeUser].some((o) => o !== undefined)) {
      throw new UsageError('--file replaces the whole policy: give no other policy option with it.');
    }
    const text = options.file === '-' ? (await readStdin()).toString('utf8') : await readFile(options.file, 'utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new UsageError(`The policy in ${options.file === '-' ? 'stdin' : options.file} is not JSON.`);
    }
    const { admins, users } = (parsed ?? {}) as Partial<KeyPolicy>;
    if (!isStringList(admins) || !isStringList(users)) throw new UsageError('A policy is {"admins": [arn, ...], "users": [arn, ...]}.');
    return { admins, users };
  }
  const users = new Set(options.user ?? current.users);
  for (const user of options.addUser ?? []) users.add(user);
  for (const user of options.removeUser ?? []) users.delete(user);
  return { admins: options.admin ?? current.admins, users: [...users] };
}

const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === 'string');

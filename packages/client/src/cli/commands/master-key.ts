import type { Command } from 'commander';
import { clientFor, globalOptions } from '../globals.js';
import { masterKeyTable, print } from '../output.js';

export function addMasterKeyCommand(program: Command): void {
  program
    .command('master-key')
    .description("the service's KMS master key: state, key material origin and expiry, rotation")
    .addHelpText('after', '\nExample:\n  $ envelope master-key\n  $ envelope master-key --output json | jq -r .keyState')
    .action(async (_options: object, command: Command) => {
      const status = await clientFor(command).masterKey();
      await print(globalOptions(command), status, () => masterKeyTable(status));
    });
}

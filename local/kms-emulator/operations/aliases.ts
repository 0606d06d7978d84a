import { KmsError, validation } from '../errors.js';
import { notPendingDeletion } from './key-states.js';
import { authorize, keyFor, keyOnly, type OperationFamily } from './operation.js';
import { page } from './request-guards.js';

/** Aliases: names for keys, which the cryptographic operations and DescribeKey accept in place of a key id. */
export const aliasOperations = {
  CreateAlias: async (store, input, access) => {
    const name = aliasName(input.AliasName);
    if (name.startsWith('alias/aws/')) throw new KmsError('NotAuthorizedException', 'Cannot create alias with prefix alias/aws/');
    const key = await keyFor(store, access, input.TargetKeyId, 'kms:CreateAlias', keyOnly);
    notPendingDeletion(key);
    store.createAlias(name, key.keyId);
    return {};
  },
  ListAliases: async (store, input, access) => {
    await authorize(access, 'kms:ListAliases');
    const keyId = input.KeyId === undefined ? undefined : store.resolve(input.KeyId, keyOnly).keyId;
    // ListAliases returns 50 aliases by default, at most 100 whatever the Limit.
    const { items, ...rest } = page(store.aliasesFor(keyId), input, 50, 100);
    return { Aliases: items.map(([name, target]) => ({ AliasName: name, AliasArn: store.aliasArn(name), TargetKeyId: target })), ...rest };
  },
  DeleteAlias: async (store, input, access) => {
    const name = aliasName(input.AliasName);
    await keyFor(store, access, name, 'kms:DeleteAlias');
    store.deleteAlias(name);
    return {};
  },
} satisfies OperationFamily;

/** An alias name as CreateAlias and DeleteAlias take it. */
function aliasName(name: string): string {
  if (!name.startsWith('alias/')) {
    throw validation('Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html');
  }
  if (!/^alias\/[a-zA-Z0-9/_-]+$/.test(name)) throw new KmsError('InvalidAliasNameException', `Alias name ${name} is not valid.`);
  return name;
}

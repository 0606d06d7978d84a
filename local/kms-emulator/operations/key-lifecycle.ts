import { randomUUID } from 'node:crypto';
import { KmsError, validation } from '../errors.js';
import type { InputOf } from '../input-shapes.js';
import type { EmulatedKey, KeyStore } from '../key-store.js';
import { metadata, SYMMETRIC_DEFAULT } from './key-metadata.js';
import { defaultPolicy, lockoutSafe, parsePolicy } from './key-policies.js';
import { notPendingDeletion, notPendingImport } from './key-states.js';
import { authorize, keyFor, keyOnly, type Access, type OperationFamily, type Output } from './operation.js';
import { page, unsupported } from './request-guards.js';

const MAX_TAGS = 50;

/** Creating, describing and listing keys, and their state: enabled, disabled, pending deletion. */
export const keyLifecycleOperations = {
  CreateKey: async (store, input, access) => {
    supportedKey(input);
    // China Regions import 128-bit material and have no RSA_AES wrapping (Step 3: Encrypt the key material).
    if (input.Origin === 'EXTERNAL' && store.partition === 'aws-cn')
      throw unsupported('This emulator does not import key material in China Regions.');
    await authorize(access, 'kms:CreateKey');
    // Tagging at creation needs kms:TagResource too.
    if (input.Tags !== undefined && input.Tags.length > 0) await authorize(access, 'kms:TagResource');
    const tags = checkedTags(input.Tags);
    const policy = input.Policy === undefined ? defaultPolicy(store) : parsePolicy(input.Policy);
    const keyId = randomUUID();
    if (input.Policy !== undefined) await lockoutSafe(access, input.BypassPolicyLockoutSafetyCheck, { arn: store.keyArn(keyId), policy });
    const key = store.create({ description: input.Description ?? '', policy, tags }, keyId, input.Origin === 'EXTERNAL' ? 'EXTERNAL' : 'AWS_KMS');
    return { KeyMetadata: metadata(key, store) };
  },
  DescribeKey: async (store, input, access) => ({
    KeyMetadata: metadata(await keyFor(store, access, input.KeyId, 'kms:DescribeKey', { grantTokens: input.GrantTokens }), store),
  }),
  ListKeys: async (store, input, access) => {
    await authorize(access, 'kms:ListKeys');
    const { items, ...rest } = page(store.listKeys(), input);
    return { Keys: items.map((k) => ({ KeyId: k.keyId, KeyArn: k.arn })), ...rest };
  },
  EnableKey: (store, input, access) => setState(store, input, access, 'Enabled'),
  DisableKey: (store, input, access) => setState(store, input, access, 'Disabled'),
  ScheduleKeyDeletion: async (store, input, access) => {
    const days = input.PendingWindowInDays ?? 30;
    if (days < 7 || days > 30) {
      const bound = days < 7 ? 'greater than or equal to 7' : 'less than or equal to 30';
      throw validation(
        `1 validation error detected: Value '${days}' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value ${bound}`,
      );
    }
    const key = await keyFor(store, access, input.KeyId, 'kms:ScheduleKeyDeletion', keyOnly);
    notPendingDeletion(key);
    store.scheduleDeletion(key, days);
    return { KeyId: key.arn, DeletionDate: key.deletionDate, KeyState: key.state, PendingWindowInDays: days };
  },
  CancelKeyDeletion: async (store, input, access) => {
    const key = await keyFor(store, access, input.KeyId, 'kms:CancelKeyDeletion', keyOnly);
    if (key.state !== 'PendingDeletion') throw new KmsError('KMSInvalidStateException', `${key.arn} is not pending deletion.`);
    store.cancelDeletion(key);
    return { KeyId: key.arn };
  },
} satisfies OperationFamily;

/** The emulator creates symmetric encryption keys with KMS key material in this Region only. */
function supportedKey(input: InputOf<'CreateKey'>): void {
  if (input.KeySpec !== undefined && input.CustomerMasterKeySpec !== undefined && input.KeySpec !== input.CustomerMasterKeySpec) {
    throw validation('KeySpec and CustomerMasterKeySpec must not differ; use KeySpec.');
  }
  const spec = input.KeySpec ?? input.CustomerMasterKeySpec ?? SYMMETRIC_DEFAULT;
  if (spec !== SYMMETRIC_DEFAULT && input.KeyUsage === undefined) {
    throw validation('You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.');
  }
  if (spec === SYMMETRIC_DEFAULT && input.KeyUsage !== undefined && input.KeyUsage !== 'ENCRYPT_DECRYPT') {
    throw validation(`KeyUsage ${input.KeyUsage} is not compatible with KeySpec ${spec}`);
  }
  if (spec !== SYMMETRIC_DEFAULT) throw unsupported(`This emulator creates symmetric encryption keys only, not ${spec}.`);
  if (input.Origin !== undefined && input.Origin !== 'AWS_KMS' && input.Origin !== 'EXTERNAL') {
    throw unsupported(`This emulator creates keys with Origin AWS_KMS or EXTERNAL only, not ${input.Origin}.`);
  }
  if (input.MultiRegion === true) throw unsupported('This emulator does not create multi-Region keys.');
  if (input.CustomKeyStoreId !== undefined || input.XksKeyId !== undefined) throw unsupported('This emulator has no custom key stores.');
}

function checkedTags(tags: InputOf<'CreateKey'>['Tags'] = []): EmulatedKey['tags'] {
  if (tags.length > MAX_TAGS) throw new KmsError('TagException', 'Too many tags');
  if (tags.some((tag) => tag.TagKey.toLowerCase().startsWith('aws:'))) throw new KmsError('TagException', 'Tags beginning with aws: are reserved');
  if (new Set(tags.map((tag) => tag.TagKey)).size !== tags.length) throw new KmsError('TagException', 'Duplicate tag keys');
  return tags.map(({ TagKey, TagValue }) => ({ TagKey, TagValue }));
}

async function setState(store: KeyStore, input: InputOf<'EnableKey'>, access: Access, state: 'Enabled' | 'Disabled'): Promise<Output> {
  const key = await keyFor(store, access, input.KeyId, state === 'Enabled' ? 'kms:EnableKey' : 'kms:DisableKey', keyOnly);
  notPendingDeletion(key);
  notPendingImport(key);
  store.setState(key, state);
  return {};
}

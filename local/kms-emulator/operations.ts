import { randomBytes } from 'node:crypto';
import { invalidCiphertext, open, readHeader, seal } from './ciphertext-blob.js';
import { KmsError, validation } from './errors.js';
import { DAY_SECONDS, type EmulatedKey, type KeyStore } from './key-store.js';

type Input = Record<string, unknown>;
type Output = Record<string, unknown>;

/** What a request's caller may do: a denial message, or undefined when the action is allowed. */
export interface Access {
  denial(action: string, key?: { readonly arn: string; readonly policy: string }, context?: Record<string, string>): Promise<string | undefined>;
}

/** No access control: every action is allowed (the emulator run on its own). */
export const OPEN_ACCESS: Access = { denial: async () => undefined };

export type Operation = (store: KeyStore, input: Input, access: Access) => Output | Promise<Output>;

const ALGORITHM = 'SYMMETRIC_DEFAULT';
const MAX_ON_DEMAND_ROTATIONS = 25;
const MAX_GRANT_TOKENS = 10;
const MAX_DESCRIPTION = 8192;
const MAX_TAGS = 50;

/** Refuses the request unless its caller may do `action`, before any state of the key is looked at. */
async function authorize(access: Access, action: string, key?: EmulatedKey, context?: Record<string, string>): Promise<void> {
  const denial = await access.denial(action, key, context);
  if (denial !== undefined) throw new KmsError('AccessDeniedException', denial);
}

/** Resolves the request's key and authorizes the action on it. */
async function keyFor(store: KeyStore, access: Access, input: Input, action: string, options?: { aliases?: boolean; context?: Record<string, string> }): Promise<EmulatedKey> {
  const key = store.resolve(input.KeyId, { aliases: options?.aliases ?? true });
  await authorize(access, action, key, options?.context);
  return key;
}

const defaultPolicy = (store: KeyStore) => JSON.stringify({
  Version: '2012-10-17',
  Id: 'key-default-1',
  Statement: [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${store.accountId}:root` }, Action: 'kms:*', Resource: '*' }],
});

function metadata(key: EmulatedKey, store: KeyStore): Output {
  return {
    AWSAccountId: store.accountId, KeyId: key.keyId, Arn: key.arn, CreationDate: key.creationDate,
    Enabled: key.state === 'Enabled', Description: key.description, KeyUsage: 'ENCRYPT_DECRYPT', KeyState: key.state,
    Origin: 'AWS_KMS', KeyManager: 'CUSTOMER', CustomerMasterKeySpec: ALGORITHM, KeySpec: ALGORITHM,
    EncryptionAlgorithms: [ALGORITHM], MultiRegion: false,
    ...(key.state === 'PendingDeletion' && { DeletionDate: key.deletionDate, PendingDeletionWindowInDays: key.pendingWindowInDays }),
  };
}

/** Cryptographic use needs an enabled key; KMS checks this before anything else. */
function usable(key: EmulatedKey): EmulatedKey {
  if (key.state === 'Disabled') throw new KmsError('DisabledException', `${key.arn} is disabled.`);
  notPendingDeletion(key);
  return key;
}

function notPendingDeletion(key: EmulatedKey): void {
  if (key.state === 'PendingDeletion') throw new KmsError('KMSInvalidStateException', `${key.arn} is pending deletion.`);
}

function context(value: unknown, field = 'EncryptionContext'): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string')) throw validation(`${field} must be a map of strings`);
  return value as Record<string, string>;
}

/** Symmetric keys encrypt with SYMMETRIC_DEFAULT only; KMS refuses any other algorithm for them. */
function encryptionAlgorithm(value: unknown): void {
  if (value === undefined || value === ALGORITHM) return;
  if (!['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'SM2PKE'].includes(String(value))) {
    throw validation(`1 validation error detected: Value '${String(value)}' at 'encryptionAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [SYMMETRIC_DEFAULT, RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, SM2PKE]`);
  }
  throw new KmsError('InvalidKeyUsageException', `The encryption algorithm ${String(value)} is not compatible with the type of key spec of this KMS key.`);
}

function grantTokens(value: unknown): void {
  if (value === undefined) return;
  if (!Array.isArray(value) || value.some((token) => typeof token !== 'string' || token.length < 1 || token.length > 8192)) {
    throw validation("1 validation error detected: Value at 'grantTokens' failed to satisfy constraint: Member must be a list of strings of length between 1 and 8192");
  }
  if (value.length > MAX_GRANT_TOKENS) {
    throw validation(`1 validation error detected: Value at 'grantTokens' failed to satisfy constraint: Member must have length less than or equal to ${MAX_GRANT_TOKENS}`);
  }
}

/** Inputs every operation that takes them checks first, as KMS validates a request before acting. */
function commonInputs(input: Input): void {
  grantTokens(input.GrantTokens);
  encryptionAlgorithm(input.EncryptionAlgorithm);
}

function description(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value !== 'string' || value.length > MAX_DESCRIPTION) {
    throw validation(`1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to ${MAX_DESCRIPTION}`);
  }
  return value;
}

function tags(value: unknown): EmulatedKey['tags'] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > MAX_TAGS) throw new KmsError('TagException', `Tags must be a list of at most ${MAX_TAGS} tags.`);
  const keys = new Set<string>();
  for (const tag of value as { TagKey?: unknown; TagValue?: unknown }[]) {
    const valid = tag !== null && typeof tag === 'object' && typeof tag.TagKey === 'string' && typeof tag.TagValue === 'string'
      && tag.TagKey.length >= 1 && tag.TagKey.length <= 128 && tag.TagValue.length <= 256 && Object.keys(tag).length === 2;
    if (!valid) throw validation("1 validation error detected: Value at 'tags' failed to satisfy constraint: each tag is {TagKey (1-128 characters), TagValue (0-256 characters)}");
    if (keys.has(tag.TagKey as string)) throw new KmsError('TagException', `Duplicate tag key ${String(tag.TagKey)}`);
    keys.add(tag.TagKey as string);
  }
  return value as EmulatedKey['tags'];
}

/**
 * KMS's policy lockout safety check: unless the caller bypasses it, a new key policy must let the
 * caller change the policy again.
 */
async function lockoutSafe(access: Access, input: Input, key: { arn: string; policy: string }): Promise<void> {
  if (input.BypassPolicyLockoutSafetyCheck === true) return;
  if ((await access.denial('kms:PutKeyPolicy', key)) !== undefined) {
    throw new KmsError('MalformedPolicyDocumentException', 'The new key policy will not allow you to update the key policy in the future.');
  }
}

function bytes(value: unknown, field: string, min: number, max: number): Buffer {
  if (typeof value !== 'string') throw validation(`1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must not be null`);
  const decoded = Buffer.from(value, 'base64');
  if (decoded.length < min || decoded.length > max) {
    throw validation(`1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must have length between ${min} and ${max}`);
  }
  return decoded;
}

function integer(value: unknown, field: string, min: number, max: number, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
    throw validation(`1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: Member must have value between ${min} and ${max}`);
  }
  return value as number;
}

function encryptWith(key: EmulatedKey, plaintext: Buffer, ctx: Record<string, string>): string {
  const material = key.materials.at(-1)!;
  return seal({ keyId: key.keyId, materialId: material.id }, Buffer.from(material.key, 'base64'), plaintext, ctx).toString('base64');
}

/**
 * Opens a blob with the material it names. The blob names its key; the caller must be allowed
 * `action` on it before its state is looked at, and it must be usable.
 */
async function decryptBlob(store: KeyStore, access: Access, action: string, blobB64: unknown, ctx: Record<string, string>, expectedKeyId: unknown): Promise<{ key: EmulatedKey; plaintext: Buffer }> {
  const blob = bytes(blobB64, 'ciphertextBlob', 1, 6144);
  const header = readHeader(blob);
  const expected = expectedKeyId === undefined ? undefined : store.resolve(expectedKeyId);
  let key: EmulatedKey;
  try {
    key = store.resolve(header.keyId);
  } catch {
    throw invalidCiphertext();
  }
  if (expected && expected.keyId !== key.keyId) {
    throw new KmsError('IncorrectKeyException', 'The key ID in the request does not identify a CMK that can perform this operation.');
  }
  await authorize(access, action, key, ctx);
  usable(key);
  const material = store.material(key, header.materialId);
  if (!material) throw invalidCiphertext();
  return { key, plaintext: open(blob, Buffer.from(material.key, 'base64'), ctx) };
}

function dataKeyBytes(input: Input): number {
  if ((input.KeySpec === undefined) === (input.NumberOfBytes === undefined)) {
    throw validation('Please specify either number of bytes or key spec.');
  }
  if (input.KeySpec !== undefined) {
    if (input.KeySpec !== 'AES_256' && input.KeySpec !== 'AES_128') throw validation(`Invalid KeySpec ${String(input.KeySpec)}`);
    return input.KeySpec === 'AES_256' ? 32 : 16;
  }
  return integer(input.NumberOfBytes, 'numberOfBytes', 1, 1024);
}

async function generateDataKey(store: KeyStore, input: Input, access: Access, action: string): Promise<Output> {
  grantTokens(input.GrantTokens);
  const ctx = context(input.EncryptionContext);
  const size = dataKeyBytes(input);
  const key = usable(await keyFor(store, access, input, action, { context: ctx }));
  const plaintext = randomBytes(size);
  return { KeyId: key.arn, CiphertextBlob: encryptWith(key, plaintext, ctx), Plaintext: plaintext.toString('base64') };
}

function page<T>(items: T[], input: Input, max = 1000): { items: T[]; Truncated: boolean; NextMarker?: string } {
  const limit = integer(input.Limit, 'limit', 1, max, 100);
  const start = input.Marker === undefined ? 0 : Number(input.Marker);
  if (!Number.isInteger(start) || start < 0) throw new KmsError('InvalidMarkerException', 'Invalid marker');
  const slice = items.slice(start, start + limit);
  const more = start + limit < items.length;
  return { items: slice, Truncated: more, ...(more && { NextMarker: String(start + limit) }) };
}

/** Only what this emulator implements; anything else KMS offers is refused, never silently ignored. */
function supportedKeyInputs(input: Input): void {
  const spec = input.KeySpec ?? input.CustomerMasterKeySpec ?? ALGORITHM;
  if (spec !== ALGORITHM || (input.KeyUsage ?? 'ENCRYPT_DECRYPT') !== 'ENCRYPT_DECRYPT') {
    throw new KmsError('UnsupportedOperationException', 'This emulator supports symmetric ENCRYPT_DECRYPT keys only.');
  }
  if ((input.Origin ?? 'AWS_KMS') !== 'AWS_KMS') {
    throw new KmsError('UnsupportedOperationException', `This emulator supports Origin AWS_KMS only, not ${String(input.Origin)}.`);
  }
  if (input.MultiRegion !== undefined && input.MultiRegion !== false) {
    throw new KmsError('UnsupportedOperationException', 'This emulator does not support multi-Region keys.');
  }
  if (input.CustomKeyStoreId !== undefined || input.XksKeyId !== undefined) {
    throw new KmsError('UnsupportedOperationException', 'This emulator does not support custom key stores.');
  }
}

export const OPERATIONS: Readonly<Record<string, Operation>> = Object.freeze(Object.assign(Object.create(null) as Record<string, Operation>, {
  CreateKey: async (store: KeyStore, input: Input, access: Access) => {
    supportedKeyInputs(input);
    const fields = {
      description: description(input.Description),
      policy: input.Policy === undefined ? defaultPolicy(store) : parsePolicy(input.Policy),
      tags: tags(input.Tags),
    };
    await authorize(access, 'kms:CreateKey');
    const key = store.create(fields);
    try {
      if (input.Policy !== undefined) await lockoutSafe(access, input, key);
    } catch (error) {
      store.forget(key.keyId);
      throw error;
    }
    return { KeyMetadata: metadata(key, store) };
  },
  DescribeKey: async (store: KeyStore, input: Input, access: Access) => {
    grantTokens(input.GrantTokens);
    return { KeyMetadata: metadata(await keyFor(store, access, input, 'kms:DescribeKey'), store) };
  },
  ListKeys: async (store: KeyStore, input: Input, access: Access) => {
    await authorize(access, 'kms:ListKeys');
    const { items, ...rest } = page(store.listKeys(), input);
    return { Keys: items.map((k) => ({ KeyId: k.keyId, KeyArn: k.arn })), ...rest };
  },
  CreateAlias: async (store: KeyStore, input: Input, access: Access) => {
    const name = input.AliasName;
    if (typeof name !== 'string' || !/^alias\/[a-zA-Z0-9/_-]{1,250}$/.test(name)) throw validation(`Alias must match pattern alias/[a-zA-Z0-9/_-]+`);
    if (name.startsWith('alias/aws/')) throw new KmsError('NotAuthorizedException', 'Cannot create alias with prefix alias/aws/');
    const key = await keyFor(store, access, { KeyId: input.TargetKeyId }, 'kms:CreateAlias', { aliases: false });
    notPendingDeletion(key);
    store.createAlias(name, key.keyId);
    return {};
  },
  ListAliases: async (store: KeyStore, input: Input, access: Access) => {
    await authorize(access, 'kms:ListAliases');
    const keyId = input.KeyId === undefined ? undefined : store.resolve(input.KeyId, { aliases: false }).keyId;
    const { items, ...rest } = page(store.aliasesFor(keyId), input, 100);
    return { Aliases: items.map(([name, target]) => ({ AliasName: name, AliasArn: store.aliasArn(name), TargetKeyId: target })), ...rest };
  },
  DeleteAlias: async (store: KeyStore, input: Input, access: Access) => {
    if (typeof input.AliasName !== 'string' || !input.AliasName.startsWith('alias/')) throw validation('AliasName must start with alias/');
    await keyFor(store, access, { KeyId: input.AliasName }, 'kms:DeleteAlias');
    store.deleteAlias(input.AliasName);
    return {};
  },
  Encrypt: async (store: KeyStore, input: Input, access: Access) => {
    commonInputs(input);
    const ctx = context(input.EncryptionContext);
    const plaintext = bytes(input.Plaintext, 'plaintext', 1, 4096);
    const key = usable(await keyFor(store, access, input, 'kms:Encrypt', { context: ctx }));
    return { KeyId: key.arn, CiphertextBlob: encryptWith(key, plaintext, ctx), EncryptionAlgorithm: ALGORITHM };
  },
  Decrypt: async (store: KeyStore, input: Input, access: Access) => {
    commonInputs(input);
    const { key, plaintext } = await decryptBlob(store, access, 'kms:Decrypt', input.CiphertextBlob, context(input.EncryptionContext), input.KeyId);
    return { KeyId: key.arn, Plaintext: plaintext.toString('base64'), EncryptionAlgorithm: ALGORITHM };
  },
  GenerateDataKey: (store: KeyStore, input: Input, access: Access) => generateDataKey(store, input, access, 'kms:GenerateDataKey'),
  GenerateDataKeyWithoutPlaintext: async (store: KeyStore, input: Input, access: Access) => {
    const { Plaintext: _plaintext, ...rest } = await generateDataKey(store, input, access, 'kms:GenerateDataKeyWithoutPlaintext');
    return rest;
  },
  ReEncrypt: async (store: KeyStore, input: Input, access: Access) => {
    grantTokens(input.GrantTokens);
    encryptionAlgorithm(input.SourceEncryptionAlgorithm);
    encryptionAlgorithm(input.DestinationEncryptionAlgorithm);
    const destinationContext = context(input.DestinationEncryptionContext, 'DestinationEncryptionContext');
    const source = await decryptBlob(store, access, 'kms:ReEncryptFrom', input.CiphertextBlob, context(input.SourceEncryptionContext, 'SourceEncryptionContext'), input.SourceKeyId);
    const destination = usable(await keyFor(store, access, { KeyId: input.DestinationKeyId }, 'kms:ReEncryptTo', { context: destinationContext }));
    const blob = encryptWith(destination, source.plaintext, destinationContext);
    return { CiphertextBlob: blob, SourceKeyId: source.key.arn, KeyId: destination.arn, SourceEncryptionAlgorithm: ALGORITHM, DestinationEncryptionAlgorithm: ALGORITHM };
  },
  EnableKey: (store: KeyStore, input: Input, access: Access) => setState(store, input, access, 'Enabled'),
  DisableKey: (store: KeyStore, input: Input, access: Access) => setState(store, input, access, 'Disabled'),
  ScheduleKeyDeletion: async (store: KeyStore, input: Input, access: Access) => {
    const days = integer(input.PendingWindowInDays, 'pendingWindowInDays', 7, 30, 30);
    const key = await keyFor(store, access, input, 'kms:ScheduleKeyDeletion', { aliases: false });
    notPendingDeletion(key);
    Object.assign(key, { state: 'PendingDeletion', pendingWindowInDays: days, deletionDate: store.now() + days * DAY_SECONDS });
    return { KeyId: key.arn, DeletionDate: key.deletionDate, KeyState: key.state, PendingWindowInDays: days };
  },
  CancelKeyDeletion: async (store: KeyStore, input: Input, access: Access) => {
    const key = await keyFor(store, access, input, 'kms:CancelKeyDeletion', { aliases: false });
    if (key.state !== 'PendingDeletion') throw new KmsError('KMSInvalidStateException', `${key.arn} is not pending deletion.`);
    Object.assign(key, { state: 'Disabled', deletionDate: undefined, pendingWindowInDays: undefined });
    return { KeyId: key.arn };
  },
  EnableKeyRotation: async (store: KeyStore, input: Input, access: Access) => {
    const period = integer(input.RotationPeriodInDays, 'rotationPeriodInDays', 90, 2560, 365);
    const key = usable(await keyFor(store, access, input, 'kms:EnableKeyRotation', { aliases: false }));
    if (!key.rotationEnabled) key.rotationEnabledAt = store.now();
    key.rotationPeriodInDays = period;
    key.rotationEnabled = true;
    return {};
  },
  DisableKeyRotation: async (store: KeyStore, input: Input, access: Access) => {
    const key = usable(await keyFor(store, access, input, 'kms:DisableKeyRotation', { aliases: false }));
    key.rotationEnabled = false;
    return {};
  },
  GetKeyRotationStatus: async (store: KeyStore, input: Input, access: Access) => {
    const key = await keyFor(store, access, input, 'kms:GetKeyRotationStatus', { aliases: false });
    // A key pending deletion reports rotation off and is not rotated; cancelling restores the status.
    const enabled = key.rotationEnabled && key.state !== 'PendingDeletion';
    return {
      KeyId: key.arn, KeyRotationEnabled: enabled,
      ...(enabled && { RotationPeriodInDays: key.rotationPeriodInDays, NextRotationDate: store.nextRotationDate(key) }),
    };
  },
  RotateKeyOnDemand: async (store: KeyStore, input: Input, access: Access) => {
    const key = usable(await keyFor(store, access, input, 'kms:RotateKeyOnDemand', { aliases: false }));
    if (key.materials.filter((m) => m.rotationType === 'ON_DEMAND').length >= MAX_ON_DEMAND_ROTATIONS) {
      throw new KmsError('LimitExceededException', `The key ${key.arn} has reached the limit of ${MAX_ON_DEMAND_ROTATIONS} on-demand rotations.`);
    }
    // The rotation completes at once here, so no OnDemandRotationStartDate is ever in progress.
    store.rotate(key, 'ON_DEMAND');
    return { KeyId: key.keyId };
  },
  ListKeyRotations: async (store: KeyStore, input: Input, access: Access) => {
    const key = await keyFor(store, access, input, 'kms:ListKeyRotations', { aliases: false });
    const rotations = key.materials.slice(1).map((m) => ({ KeyId: key.keyId, RotationDate: m.createdAt, RotationType: m.rotationType }));
    const { items, ...rest } = page(rotations, input);
    return { Rotations: items, ...rest };
  },
  GetKeyPolicy: async (store: KeyStore, input: Input, access: Access) => {
    policyName(input.PolicyName);
    const key = await keyFor(store, access, input, 'kms:GetKeyPolicy', { aliases: false });
    return { Policy: key.policy, PolicyName: 'default' };
  },
  PutKeyPolicy: async (store: KeyStore, input: Input, access: Access) => {
    policyName(input.PolicyName);
    const policy = parsePolicy(input.Policy);
    const key = await keyFor(store, access, input, 'kms:PutKeyPolicy', { aliases: false });
    await lockoutSafe(access, input, { arn: key.arn, policy });
    key.policy = policy;
    return {};
  },
}));

async function setState(store: KeyStore, input: Input, access: Access, state: 'Enabled' | 'Disabled'): Promise<Output> {
  const key = await keyFor(store, access, input, state === 'Enabled' ? 'kms:EnableKey' : 'kms:DisableKey', { aliases: false });
  notPendingDeletion(key);
  key.state = state;
  return {};
}

function policyName(name: unknown): void {
  if (name !== undefined && name !== 'default') throw validation('PolicyName must be default');
}

function parsePolicy(policy: unknown): string {
  try {
    if (typeof policy !== 'string' || policy.length > 32768) throw new Error('not a policy');
    const parsed: unknown = JSON.parse(policy);
    if (parsed === null || typeof parsed !== 'object' || !('Statement' in parsed)) throw new Error('no statements');
    return policy;
  } catch {
    throw new KmsError('MalformedPolicyDocumentException', 'The policy is not a valid JSON key policy document.');
  }
}

/** Operations that change state, so the store is saved after them. */
export const MUTATING = new Set([
  'CreateKey', 'CreateAlias', 'DeleteAlias', 'EnableKey', 'DisableKey', 'ScheduleKeyDeletion', 'CancelKeyDeletion',
  'EnableKeyRotation', 'DisableKeyRotation', 'RotateKeyOnDemand', 'PutKeyPolicy',
]);

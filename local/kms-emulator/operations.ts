import { randomBytes } from 'node:crypto';
import { invalidCiphertext, open, readHeader, seal } from './ciphertext-blob.js';
import { KmsError, validation } from './errors.js';
import { now, type EmulatedKey, type KeyStore } from './key-store.js';

type Input = Record<string, unknown>;
type Output = Record<string, unknown>;
export type Operation = (store: KeyStore, input: Input) => Output;

const DAY_SECONDS = 86_400;
const ALGORITHM = 'SYMMETRIC_DEFAULT';

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
  if (typeof value !== 'object' || Object.values(value).some((v) => typeof v !== 'string')) throw validation(`${field} must be a map of strings`);
  return value as Record<string, string>;
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

function encryptWith(store: KeyStore, key: EmulatedKey, plaintext: Buffer, ctx: Record<string, string>): string {
  const material = key.materials.at(-1)!;
  return seal({ keyId: key.keyId, materialId: material.id }, Buffer.from(material.key, 'base64'), plaintext, ctx).toString('base64');
}

/** Opens a blob with the material it names; the blob's key must exist and be usable. */
function decryptBlob(store: KeyStore, blobB64: unknown, ctx: Record<string, string>, expectedKeyId: unknown): { key: EmulatedKey; plaintext: Buffer } {
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

function generateDataKey(store: KeyStore, input: Input): Output {
  const key = usable(store.resolve(input.KeyId));
  const plaintext = randomBytes(dataKeyBytes(input));
  const blob = encryptWith(store, key, plaintext, context(input.EncryptionContext));
  return { KeyId: key.arn, CiphertextBlob: blob, Plaintext: plaintext.toString('base64') };
}

function nextRotationDate(key: EmulatedKey): number {
  const last = Math.max(...key.materials.filter((m) => m.rotationType !== 'ON_DEMAND').map((m) => m.createdAt));
  return last + (key.rotationPeriodInDays ?? 365) * DAY_SECONDS;
}

function page<T>(items: T[], input: Input, max = 1000): { items: T[]; Truncated: boolean; NextMarker?: string } {
  const limit = integer(input.Limit, 'limit', 1, max, 100);
  const start = input.Marker === undefined ? 0 : Number(input.Marker);
  if (!Number.isInteger(start) || start < 0) throw new KmsError('InvalidMarkerException', 'Invalid marker');
  const slice = items.slice(start, start + limit);
  const more = start + limit < items.length;
  return { items: slice, Truncated: more, ...(more && { NextMarker: String(start + limit) }) };
}

export const OPERATIONS: Record<string, Operation> = {
  CreateKey: (store, input) => {
    const spec = input.KeySpec ?? input.CustomerMasterKeySpec ?? ALGORITHM;
    if (spec !== ALGORITHM || (input.KeyUsage ?? 'ENCRYPT_DECRYPT') !== 'ENCRYPT_DECRYPT') {
      throw new KmsError('UnsupportedOperationException', 'This emulator supports symmetric ENCRYPT_DECRYPT keys only.');
    }
    const key = store.create({
      description: typeof input.Description === 'string' ? input.Description : '',
      policy: typeof input.Policy === 'string' ? parsePolicy(input.Policy) : defaultPolicy(store),
      tags: Array.isArray(input.Tags) ? (input.Tags as EmulatedKey['tags']) : [],
    });
    return { KeyMetadata: metadata(key, store) };
  },
  DescribeKey: (store, input) => ({ KeyMetadata: metadata(store.resolve(input.KeyId), store) }),
  ListKeys: (store, input) => {
    const { items, ...rest } = page(store.listKeys(), input);
    return { Keys: items.map((k) => ({ KeyId: k.keyId, KeyArn: k.arn })), ...rest };
  },
  CreateAlias: (store, input) => {
    const name = input.AliasName;
    if (typeof name !== 'string' || !/^alias\/[a-zA-Z0-9/_-]{1,250}$/.test(name)) throw validation(`Alias must match pattern alias/[a-zA-Z0-9/_-]+`);
    if (name.startsWith('alias/aws/')) throw new KmsError('NotAuthorizedException', 'Cannot create alias with prefix alias/aws/');
    const key = store.resolve(input.TargetKeyId, { aliases: false });
    notPendingDeletion(key);
    store.createAlias(name, key.keyId);
    return {};
  },
  ListAliases: (store, input) => {
    const keyId = input.KeyId === undefined ? undefined : store.resolve(input.KeyId, { aliases: false }).keyId;
    const { items, ...rest } = page(store.aliasesFor(keyId), input, 100);
    return { Aliases: items.map(([name, target]) => ({ AliasName: name, AliasArn: store.aliasArn(name), TargetKeyId: target })), ...rest };
  },
  DeleteAlias: (store, input) => {
    if (typeof input.AliasName !== 'string') throw validation('AliasName is required');
    store.deleteAlias(input.AliasName);
    return {};
  },
  Encrypt: (store, input) => {
    const key = usable(store.resolve(input.KeyId));
    const blob = encryptWith(store, key, bytes(input.Plaintext, 'plaintext', 1, 4096), context(input.EncryptionContext));
    return { KeyId: key.arn, CiphertextBlob: blob, EncryptionAlgorithm: ALGORITHM };
  },
  Decrypt: (store, input) => {
    const { key, plaintext } = decryptBlob(store, input.CiphertextBlob, context(input.EncryptionContext), input.KeyId);
    return { KeyId: key.arn, Plaintext: plaintext.toString('base64'), EncryptionAlgorithm: ALGORITHM };
  },
  GenerateDataKey: generateDataKey,
  GenerateDataKeyWithoutPlaintext: (store, input) => {
    const { Plaintext: _plaintext, ...rest } = generateDataKey(store, input);
    return rest;
  },
  ReEncrypt: (store, input) => {
    const destination = usable(store.resolve(input.DestinationKeyId));
    const source = decryptBlob(store, input.CiphertextBlob, context(input.SourceEncryptionContext, 'SourceEncryptionContext'), input.SourceKeyId);
    const blob = encryptWith(store, destination, source.plaintext, context(input.DestinationEncryptionContext, 'DestinationEncryptionContext'));
    return { CiphertextBlob: blob, SourceKeyId: source.key.arn, KeyId: destination.arn, SourceEncryptionAlgorithm: ALGORITHM, DestinationEncryptionAlgorithm: ALGORITHM };
  },
  EnableKey: (store, input) => setState(store, input, 'Enabled'),
  DisableKey: (store, input) => setState(store, input, 'Disabled'),
  ScheduleKeyDeletion: (store, input) => {
    const key = store.resolve(input.KeyId, { aliases: false });
    notPendingDeletion(key);
    const days = integer(input.PendingWindowInDays, 'pendingWindowInDays', 7, 30, 30);
    Object.assign(key, { state: 'PendingDeletion', pendingWindowInDays: days, deletionDate: now() + days * DAY_SECONDS });
    return { KeyId: key.arn, DeletionDate: key.deletionDate, KeyState: key.state, PendingWindowInDays: days };
  },
  CancelKeyDeletion: (store, input) => {
    const key = store.resolve(input.KeyId, { aliases: false });
    if (key.state !== 'PendingDeletion') throw new KmsError('KMSInvalidStateException', `${key.arn} is not pending deletion.`);
    Object.assign(key, { state: 'Disabled', deletionDate: undefined, pendingWindowInDays: undefined });
    return { KeyId: key.arn };
  },
  EnableKeyRotation: (store, input) => {
    const key = usable(store.resolve(input.KeyId, { aliases: false }));
    key.rotationPeriodInDays = integer(input.RotationPeriodInDays, 'rotationPeriodInDays', 90, 2560, 365);
    key.rotationEnabled = true;
    return {};
  },
  DisableKeyRotation: (store, input) => {
    const key = usable(store.resolve(input.KeyId, { aliases: false }));
    key.rotationEnabled = false;
    return {};
  },
  GetKeyRotationStatus: (store, input) => {
    const key = store.resolve(input.KeyId, { aliases: false });
    notPendingDeletion(key);
    return {
      KeyId: key.arn, KeyRotationEnabled: key.rotationEnabled,
      ...(key.rotationEnabled && { RotationPeriodInDays: key.rotationPeriodInDays, NextRotationDate: nextRotationDate(key) }),
      ...(key.onDemandRotationStartDate !== undefined && { OnDemandRotationStartDate: key.onDemandRotationStartDate }),
    };
  },
  RotateKeyOnDemand: (store, input) => {
    const key = usable(store.resolve(input.KeyId, { aliases: false }));
    key.onDemandRotationStartDate = now();
    store.rotate(key, 'ON_DEMAND');
    return { KeyId: key.keyId };
  },
  ListKeyRotations: (store, input) => {
    const key = store.resolve(input.KeyId, { aliases: false });
    const rotations = key.materials.slice(1).map((m) => ({ KeyId: key.keyId, RotationDate: m.createdAt, RotationType: m.rotationType }));
    const { items, ...rest } = page(rotations, input);
    return { Rotations: items, ...rest };
  },
  GetKeyPolicy: (store, input) => {
    const key = store.resolve(input.KeyId, { aliases: false });
    policyName(input.PolicyName);
    return { Policy: key.policy, PolicyName: 'default' };
  },
  PutKeyPolicy: (store, input) => {
    const key = store.resolve(input.KeyId, { aliases: false });
    policyName(input.PolicyName);
    key.policy = parsePolicy(input.Policy);
    return {};
  },
};

function setState(store: KeyStore, input: Input, state: 'Enabled' | 'Disabled'): Output {
  const key = store.resolve(input.KeyId, { aliases: false });
  notPendingDeletion(key);
  key.state = state;
  return {};
}

function policyName(name: unknown): void {
  if (name !== undefined && name !== 'default') throw validation('PolicyName must be default');
}

function parsePolicy(policy: unknown): string {
  try {
    if (typeof policy !== 'string') throw new Error('not a string');
    JSON.parse(policy);
    return policy;
  } catch {
    throw new KmsError('MalformedPolicyDocumentException', 'The new key policy will not allow you to update the key policy in the future.');
  }
}

/** Operations that change state, so the store is saved after them. */
export const MUTATING = new Set([
  'CreateKey', 'CreateAlias', 'DeleteAlias', 'EnableKey', 'DisableKey', 'ScheduleKeyDeletion', 'CancelKeyDeletion',
  'EnableKeyRotation', 'DisableKeyRotation', 'RotateKeyOnDemand', 'PutKeyPolicy',
]);

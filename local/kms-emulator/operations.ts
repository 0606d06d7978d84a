import { randomBytes, randomUUID } from 'node:crypto';
import { invalidCiphertext, open, readHeader, seal } from './ciphertext-blob.js';
import { KmsError, notFound, validation } from './errors.js';
import type { InputOf, OperationName } from './input-shapes.js';
import {
  IMPORT_PARAMETERS_VALID_SECONDS,
  importedMaterialId,
  importTokenName,
  isWrappingAlgorithm,
  isWrappingKeySpec,
  newImportToken,
  newWrappingKeyPair,
  unwrapKeyMaterial,
  type ImportParameters,
  type WrappingAlgorithm,
  type WrappingKeySpec,
} from './key-import.js';
import { DAY_SECONDS, isImported, materialId, type EmulatedKey, type ImportExpiration, type KeyMaterial, type KeyStore } from './key-store.js';

type Output = Record<string, unknown>;
type EncryptionContext = Readonly<Record<string, string>>;

/** What a request's caller may do: a denial message, or undefined when the action is allowed. */
export interface Access {
  denial(action: string, key?: { readonly arn: string; readonly policy: string }, context?: EncryptionContext): Promise<string | undefined>;
}

/** No access control: every action is allowed (the emulator run on its own). */
export const OPEN_ACCESS: Access = { denial: async () => undefined };

export type Operation<Op extends OperationName> = (store: KeyStore, input: InputOf<Op>, access: Access) => Promise<Output>;

const ALGORITHM = 'SYMMETRIC_DEFAULT';
const MAX_ON_DEMAND_ROTATIONS = 25;
const MAX_TAGS = 50;
const MAX_POLICY_BYTES = 32_768;
const DEFAULT_ROTATION_PERIOD_DAYS = 365;
/** SYMMETRIC_DEFAULT imported material is a 256-bit key (About imported key material). */
const IMPORTED_MATERIAL_BYTES = 32;
const MAX_IMPORT_VALIDITY_DAYS = 365;

interface Authorization {
  readonly context?: EncryptionContext;
  readonly grantTokens?: readonly string[] | undefined;
}

/** Refuses the request unless its caller may do `action`, before any state of the key is looked at. */
async function authorize(access: Access, action: string, key?: EmulatedKey, { context, grantTokens }: Authorization = {}): Promise<void> {
  // No grant exists here (CreateGrant is not emulated), so no grant token can be valid.
  if (grantTokens !== undefined && grantTokens.length > 0) {
    throw new KmsError('InvalidGrantTokenException', 'The request was rejected because the specified grant token is not valid.');
  }
  const denial = await access.denial(action, key, context);
  if (denial !== undefined) throw new KmsError('AccessDeniedException', denial);
}

/** Resolves the request's key and authorizes the action on it. */
async function keyFor(
  store: KeyStore,
  access: Access,
  identifier: string,
  action: string,
  options: Authorization & { aliases?: boolean } = {},
): Promise<EmulatedKey> {
  const key = store.resolve(identifier, { aliases: options.aliases ?? true });
  await authorize(access, action, key, options);
  return key;
}

const defaultPolicy = (store: KeyStore) =>
  JSON.stringify({
    Version: '2012-10-17',
    Id: 'key-default-1',
    Statement: [
      {
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: { AWS: `arn:${store.partition}:iam::${store.accountId}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
    ],
  });

function metadata(key: EmulatedKey, store: KeyStore): Output {
  const current = key.materials.at(-1);
  return {
    AWSAccountId: store.accountId,
    KeyId: key.keyId,
    Arn: key.arn,
    CreationDate: key.creationDate,
    Enabled: key.state === 'Enabled',
    Description: key.description,
    KeyUsage: 'ENCRYPT_DECRYPT',
    KeyState: key.state,
    Origin: key.origin ?? 'AWS_KMS',
    KeyManager: 'CUSTOMER',
    CustomerMasterKeySpec: ALGORITHM,
    KeySpec: ALGORITHM,
    EncryptionAlgorithms: [ALGORITHM],
    MultiRegion: false,
    // A key pending its first import has no material yet.
    ...(current && { CurrentKeyMaterialId: materialId(current) }),
    ...(key.origin === 'EXTERNAL' && current && expirationOf(current)),
    ...(key.state === 'PendingDeletion' && { DeletionDate: key.deletionDate }),
  };
}

/**
 * How imported material expires. It stays shown once the material is deleted or has expired: the
 * DescribeKey example of a PendingImport key in "How to identify KMS keys with imported key
 * material" carries its ExpirationModel and ValidTo.
 */
const expirationOf = (material: KeyMaterial): Output => ({
  ...(material.expirationModel && { ExpirationModel: material.expirationModel }),
  ...(material.validTo !== undefined && { ValidTo: material.validTo }),
});

/** Cryptographic use needs an enabled key. */
function usable(key: EmulatedKey): EmulatedKey {
  if (key.state === 'Disabled') throw new KmsError('DisabledException', `${key.arn} is disabled.`);
  notPendingDeletion(key);
  notPendingImport(key);
  return key;
}

function notPendingDeletion(key: EmulatedKey): void {
  if (key.state === 'PendingDeletion') throw new KmsError('KMSInvalidStateException', `${key.arn} is pending deletion.`);
}

/** A key without its imported material, in the key state table's words. */
function notPendingImport(key: EmulatedKey): void {
  if (key.state === 'PendingImport') throw new KmsError('KMSInvalidStateException', `${key.arn} is pending import.`);
}

/** The key state table's answer when an operation does not fit the key's origin. */
const wrongOrigin = (key: EmulatedKey) =>
  new KmsError('UnsupportedOperationException', `${key.arn} origin is ${key.origin ?? 'AWS_KMS'} which is not valid for this operation.`);

/**
 * Automatic rotation is not for keys with imported key material (EnableKeyRotation: "You cannot
 * enable automatic rotation of ... KMS keys with imported key material"): EnableKeyRotation,
 * DisableKeyRotation and GetKeyRotationStatus answer UnsupportedOperationException in every key
 * state (Key states of AWS KMS keys, notes 6 and 7), before the state is looked at.
 */
function automaticRotationApplies(key: EmulatedKey): EmulatedKey {
  if (key.origin === 'EXTERNAL') throw wrongOrigin(key);
  return key;
}

/** The import operations are for EXTERNAL keys only (key state table, note 9). */
function external(key: EmulatedKey): EmulatedKey {
  if (key.origin !== 'EXTERNAL') throw wrongOrigin(key);
  return key;
}

/** A symmetric encryption key encrypts with SYMMETRIC_DEFAULT only. */
function fitsKey(algorithm: string | undefined): void {
  if (algorithm !== undefined && algorithm !== ALGORITHM) {
    throw new KmsError('InvalidKeyUsageException', `Algorithm ${algorithm} is incompatible with key spec ${ALGORITHM}.`);
  }
}

/** With DryRun, KMS checks everything and then answers this instead of doing the work. */
function dryRun(input: { readonly DryRun?: boolean }): void {
  if (input.DryRun === true) throw new KmsError('DryRunOperationException', 'The request would have succeeded, but the DryRun option is set.');
}

const unsupported = (message: string) => new KmsError('UnsupportedOperationException', message);

/** Inputs KMS implements and the emulator does not: refused, never ignored. */
function refuseUnemulated(input: { readonly Recipient?: unknown; readonly DryRunModifiers?: readonly string[] }): void {
  if (input.Recipient !== undefined) throw unsupported('This emulator does not support Recipient (Nitro Enclaves attestation).');
  if (input.DryRunModifiers !== undefined && input.DryRunModifiers.length > 0) throw unsupported('This emulator does not support DryRunModifiers.');
}

/** The emulator creates symmetric encryption keys with KMS key material in this Region only. */
function supportedKey(input: InputOf<'CreateKey'>): void {
  if (input.KeySpec !== undefined && input.CustomerMasterKeySpec !== undefined && input.KeySpec !== input.CustomerMasterKeySpec) {
    throw validation('KeySpec and CustomerMasterKeySpec must not differ; use KeySpec.');
  }
  const spec = input.KeySpec ?? input.CustomerMasterKeySpec ?? ALGORITHM;
  if (spec !== ALGORITHM && input.KeyUsage === undefined) {
    throw validation('You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.');
  }
  if (spec === ALGORITHM && input.KeyUsage !== undefined && input.KeyUsage !== 'ENCRYPT_DECRYPT') {
    throw validation(`KeyUsage ${input.KeyUsage} is not compatible with KeySpec ${spec}`);
  }
  if (spec !== ALGORITHM) throw unsupported(`This emulator creates symmetric encryption keys only, not ${spec}.`);
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

function parsePolicy(policy: string): string {
  if (Buffer.byteLength(policy) > MAX_POLICY_BYTES)
    throw new KmsError('LimitExceededException', `The key policy exceeds the quota of ${MAX_POLICY_BYTES} bytes.`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(policy);
  } catch {
    parsed = undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || !Object.hasOwn(parsed, 'Statement')) {
    throw new KmsError('MalformedPolicyDocumentException', 'The policy is not a valid JSON key policy document.');
  }
  return policy;
}

function policyName(name: string | undefined): void {
  if (name !== undefined && name !== 'default') throw validation(`The only valid key policy name is default, not ${name}.`);
}

/**
 * KMS's policy lockout safety check: unless the caller bypasses it, a new key policy must let the
 * caller change the policy again.
 */
async function lockoutSafe(access: Access, bypass: boolean | undefined, key: { arn: string; policy: string }): Promise<void> {
  if (bypass === true) return;
  if ((await access.denial('kms:PutKeyPolicy', key)) !== undefined) {
    throw new KmsError('MalformedPolicyDocumentException', 'The new key policy will not allow you to update the key policy in the future.');
  }
}

/** An alias name as CreateAlias and DeleteAlias take it. */
function aliasName(name: string): string {
  if (!name.startsWith('alias/')) {
    throw validation('Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html');
  }
  if (!/^alias\/[a-zA-Z0-9/_-]+$/.test(name)) throw new KmsError('InvalidAliasNameException', `Alias name ${name} is not valid.`);
  return name;
}

function encryptWith(store: KeyStore, key: EmulatedKey, plaintext: Buffer, context: EncryptionContext): string {
  const material = key.materials.at(-1)!;
  return seal({ keyId: key.keyId, materialId: material.id }, store.secretOf(key, material), plaintext, context).toString('base64');
}

interface Ciphertext {
  readonly action: string;
  readonly blob: Buffer | undefined;
  readonly context: EncryptionContext | undefined;
  /** The key the caller says encrypted it. */
  readonly keyId: string | undefined;
  readonly algorithm: string | undefined;
  readonly grantTokens: readonly string[] | undefined;
}

/**
 * Opens a blob with the material it names. The blob names its key; the caller must be allowed
 * the action on it before its state is looked at, and it must be usable.
 */
async function decryptBlob(store: KeyStore, access: Access, ciphertext: Ciphertext): Promise<{ key: EmulatedKey; plaintext: Buffer }> {
  if (ciphertext.blob === undefined)
    throw validation("1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy constraint: Member must not be null");
  const header = readHeader(ciphertext.blob);
  const expected = ciphertext.keyId === undefined ? undefined : store.resolve(ciphertext.keyId);
  const key = store.find(header.keyId);
  if (!key) throw invalidCiphertext();
  if (expected && expected.keyId !== key.keyId) {
    throw new KmsError('IncorrectKeyException', 'The key ID in the request does not identify a CMK that can perform this operation.');
  }
  const context = ciphertext.context ?? {};
  await authorize(access, ciphertext.action, key, { context, grantTokens: ciphertext.grantTokens });
  usable(key);
  fitsKey(ciphertext.algorithm);
  const material = store.material(key, header.materialId);
  if (!material) throw invalidCiphertext();
  return { key, plaintext: open(ciphertext.blob, store.secretOf(key, material), context) };
}

function dataKeyBytes(input: { readonly KeySpec?: string; readonly NumberOfBytes?: number }): number {
  if ((input.KeySpec === undefined) === (input.NumberOfBytes === undefined)) throw validation('Please specify either number of bytes or key spec.');
  return input.NumberOfBytes ?? (input.KeySpec === 'AES_256' ? 32 : 16);
}

async function generateDataKey(
  store: KeyStore,
  input: InputOf<'GenerateDataKeyWithoutPlaintext'>,
  access: Access,
  action: string,
): Promise<{ key: EmulatedKey; plaintext: Buffer; blob: string }> {
  const size = dataKeyBytes(input);
  const context = input.EncryptionContext ?? {};
  const key = usable(await keyFor(store, access, input.KeyId, action, { context, grantTokens: input.GrantTokens }));
  dryRun(input);
  const plaintext = randomBytes(size);
  return { key, plaintext, blob: encryptWith(store, key, plaintext, context) };
}

/** A page of a list, with KMS's opaque marker (here, the offset). */
function page<T>(
  items: readonly T[],
  input: { readonly Limit?: number; readonly Marker?: string },
  byDefault = 100,
  most = 1000,
): { items: T[]; Truncated: boolean; NextMarker?: string } {
  const limit = Math.min(input.Limit ?? byDefault, most);
  const start = input.Marker === undefined ? 0 : Number(input.Marker);
  if (!Number.isSafeInteger(start) || start < 0 || (input.Marker !== undefined && !/^\d+$/.test(input.Marker))) {
    throw new KmsError('InvalidMarkerException', 'The marker that specifies where pagination should next begin is not valid.');
  }
  const more = start + limit < items.length;
  return { items: items.slice(start, start + limit), Truncated: more, ...(more && { NextMarker: String(start + limit) }) };
}

async function setState(store: KeyStore, input: InputOf<'EnableKey'>, access: Access, state: 'Enabled' | 'Disabled'): Promise<Output> {
  const key = await keyFor(store, access, input.KeyId, state === 'Enabled' ? 'kms:EnableKey' : 'kms:DisableKey', { aliases: false });
  notPendingDeletion(key);
  notPendingImport(key);
  store.setState(key, state);
  return {};
}

/** A ListKeyRotations entry's fields for imported material. */
const importedMaterialEntry = (material: KeyMaterial): Output => ({
  ImportState: isImported(material) ? 'IMPORTED' : 'PENDING_IMPORT',
  ...expirationOf(material),
  ...(material.description !== undefined && { KeyMaterialDescription: material.description }),
});

/** The wrapping algorithms and key specs the emulator hands out wrapping keys for. */
function wrappingChoice(input: InputOf<'GetParametersForImport'>): { algorithm: WrappingAlgorithm; spec: WrappingKeySpec } {
  const { WrappingAlgorithm: algorithm, WrappingKeySpec: spec } = input;
  // "As of October 10, 2023, KMS does not support the RSAES_PKCS1_V1_5 wrapping algorithm" (GetParametersForImport).
  if (algorithm === 'RSAES_PKCS1_V1_5') throw validation('KMS does not support the RSAES_PKCS1_V1_5 wrapping algorithm.');
  if (algorithm === 'SM2PKE' || spec === 'SM2') throw unsupported('This emulator does not implement SM2 wrapping (China Regions only).');
  if (!isWrappingAlgorithm(algorithm) || !isWrappingKeySpec(spec))
    throw validation(`Wrapping algorithm ${algorithm} does not fit wrapping key spec ${spec}.`);
  return { algorithm, spec };
}

/**
 * ExpirationModel defaults to KEY_MATERIAL_EXPIRES, which needs a ValidTo in the future and at most
 * 365 days away; KEY_MATERIAL_DOES_NOT_EXPIRE must come without one (ImportKeyMaterial).
 */
function importExpiration(store: KeyStore, input: InputOf<'ImportKeyMaterial'>): ImportExpiration {
  const expirationModel = input.ExpirationModel === 'KEY_MATERIAL_DOES_NOT_EXPIRE' ? input.ExpirationModel : 'KEY_MATERIAL_EXPIRES';
  if (expirationModel === 'KEY_MATERIAL_DOES_NOT_EXPIRE') {
    if (input.ValidTo !== undefined) throw validation('ValidTo must be omitted when ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE.');
    return { expirationModel };
  }
  if (input.ValidTo === undefined) throw validation('ValidTo is required when ExpirationModel is KEY_MATERIAL_EXPIRES.');
  if (input.ValidTo <= store.now()) throw validation('ValidTo must be a future date and time.');
  if (input.ValidTo > store.now() + MAX_IMPORT_VALIDITY_DAYS * DAY_SECONDS)
    throw validation(`ValidTo must be at most ${MAX_IMPORT_VALIDITY_DAYS} days from now.`);
  return { expirationModel, validTo: input.ValidTo };
}

/** The parameters an import token names: of this key, and not expired. */
function parametersOfToken(store: KeyStore, key: EmulatedKey, token: Buffer): { name: string; parameters: ImportParameters } {
  const name = importTokenName(token);
  const parameters = store.importParameters(name);
  if (parameters?.keyId !== key.keyId) {
    throw new KmsError('InvalidImportTokenException', 'The import token is invalid or is associated with a different KMS key.');
  }
  if (parameters.validTo <= store.now()) {
    throw new KmsError(
      'ExpiredImportTokenException',
      'The import token is expired. Use GetParametersForImport to get a new import token and public key, use the new public key to encrypt the key material, and then try the request again.',
    );
  }
  return { name, parameters };
}

const incorrectMaterial = (message: string) => new KmsError('IncorrectKeyMaterialException', message);

/**
 * Once material is imported, only the same material can be imported again ("you can reimport the
 * same key material into that KMS key, but you cannot import different key material",
 * ImportKeyMaterial). ImportType defaults to NEW_KEY_MATERIAL before the first import and to
 * EXISTING_KEY_MATERIAL after it.
 */
function checkSameMaterial(key: EmulatedKey, input: InputOf<'ImportKeyMaterial'>, id: string): void {
  const associated = key.materials.some((m) => m.id === id);
  const importType = input.ImportType ?? (key.materials.length === 0 ? 'NEW_KEY_MATERIAL' : 'EXISTING_KEY_MATERIAL');
  if (importType === 'NEW_KEY_MATERIAL') {
    if (input.KeyMaterialId !== undefined) throw validation('You cannot specify a key material ID with ImportType NEW_KEY_MATERIAL.');
    if (associated)
      throw incorrectMaterial('KMS expected new key material, but the key material being imported is already associated with the KMS key.');
    if (key.materials.length > 0)
      throw unsupported('This emulator does not rotate imported key material (ImportType NEW_KEY_MATERIAL is not emulated).');
    return;
  }
  if (!associated) throw incorrectMaterial('The key material is not the same key material that was previously imported into this KMS key.');
  if (input.KeyMaterialId !== undefined && input.KeyMaterialId !== materialId({ id })) {
    throw incorrectMaterial(`The key material does not match key material ID ${input.KeyMaterialId}.`);
  }
}

/** The import operations need an EXTERNAL key, not pending deletion (key state table, notes 8 and 9). */
async function importableKey(store: KeyStore, access: Access, identifier: string, action: string): Promise<EmulatedKey> {
  const key = external(await keyFor(store, access, identifier, action, keyOnly));
  notPendingDeletion(key);
  return key;
}

/** Key management operations take the key id or ARN only, not an alias. */
const keyOnly = { aliases: false } as const;

const operations: { readonly [Op in OperationName]: Operation<Op> } = {
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
  Encrypt: async (store, input, access) => {
    const context = input.EncryptionContext ?? {};
    const key = usable(await keyFor(store, access, input.KeyId, 'kms:Encrypt', { context, grantTokens: input.GrantTokens }));
    fitsKey(input.EncryptionAlgorithm);
    dryRun(input);
    return { KeyId: key.arn, CiphertextBlob: encryptWith(store, key, input.Plaintext, context), EncryptionAlgorithm: ALGORITHM };
  },
  Decrypt: async (store, input, access) => {
    refuseUnemulated(input);
    const { key, plaintext } = await decryptBlob(store, access, {
      action: 'kms:Decrypt',
      blob: input.CiphertextBlob,
      context: input.EncryptionContext,
      keyId: input.KeyId,
      algorithm: input.EncryptionAlgorithm,
      grantTokens: input.GrantTokens,
    });
    dryRun(input);
    return { KeyId: key.arn, Plaintext: plaintext.toString('base64'), EncryptionAlgorithm: ALGORITHM };
  },
  GenerateDataKey: async (store, input, access) => {
    refuseUnemulated(input);
    const { key, plaintext, blob } = await generateDataKey(store, input, access, 'kms:GenerateDataKey');
    return { KeyId: key.arn, CiphertextBlob: blob, Plaintext: plaintext.toString('base64') };
  },
  GenerateDataKeyWithoutPlaintext: async (store, input, access) => {
    const { key, blob } = await generateDataKey(store, input, access, 'kms:GenerateDataKeyWithoutPlaintext');
    return { KeyId: key.arn, CiphertextBlob: blob };
  },
  ReEncrypt: async (store, input, access) => {
    refuseUnemulated(input);
    const source = await decryptBlob(store, access, {
      action: 'kms:ReEncryptFrom',
      blob: input.CiphertextBlob,
      context: input.SourceEncryptionContext,
      keyId: input.SourceKeyId,
      algorithm: input.SourceEncryptionAlgorithm,
      grantTokens: input.GrantTokens,
    });
    const context = input.DestinationEncryptionContext ?? {};
    const destination = usable(await keyFor(store, access, input.DestinationKeyId, 'kms:ReEncryptTo', { context, grantTokens: input.GrantTokens }));
    fitsKey(input.DestinationEncryptionAlgorithm);
    dryRun(input);
    return {
      CiphertextBlob: encryptWith(store, destination, source.plaintext, context),
      SourceKeyId: source.key.arn,
      KeyId: destination.arn,
      SourceEncryptionAlgorithm: ALGORITHM,
      DestinationEncryptionAlgorithm: ALGORITHM,
    };
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
  EnableKeyRotation: async (store, input, access) => {
    const key = usable(automaticRotationApplies(await keyFor(store, access, input.KeyId, 'kms:EnableKeyRotation', keyOnly)));
    store.enableRotation(key, input.RotationPeriodInDays ?? key.rotationPeriodInDays ?? DEFAULT_ROTATION_PERIOD_DAYS);
    return {};
  },
  DisableKeyRotation: async (store, input, access) => {
    store.disableRotation(usable(automaticRotationApplies(await keyFor(store, access, input.KeyId, 'kms:DisableKeyRotation', keyOnly))));
    return {};
  },
  GetKeyRotationStatus: async (store, input, access) => {
    const key = automaticRotationApplies(await keyFor(store, access, input.KeyId, 'kms:GetKeyRotationStatus', keyOnly));
    // A key pending deletion reports rotation off and is not rotated; cancelling restores the status.
    const enabled = key.rotationEnabled && key.state !== 'PendingDeletion';
    return {
      KeyId: key.arn,
      KeyRotationEnabled: enabled,
      ...(enabled && { RotationPeriodInDays: key.rotationPeriodInDays, NextRotationDate: key.nextRotationDate }),
    };
  },
  RotateKeyOnDemand: async (store, input, access) => {
    const key = await keyFor(store, access, input.KeyId, 'kms:RotateKeyOnDemand', keyOnly);
    // KMS rotates imported material on demand only into new material imported beforehand (ImportType
    // NEW_KEY_MATERIAL, then PENDING_ROTATION: RotateKeyOnDemand), which the emulator does not implement.
    if (key.origin === 'EXTERNAL')
      throw unsupported('This emulator does not rotate imported key material (ImportType NEW_KEY_MATERIAL is not emulated).');
    usable(key);
    if (key.materials.filter((m) => m.rotationType === 'ON_DEMAND').length >= MAX_ON_DEMAND_ROTATIONS) {
      throw new KmsError(
        'LimitExceededException',
        `The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: ${key.arn}`,
      );
    }
    // The rotation completes at once here, so no OnDemandRotationStartDate is ever in progress.
    store.rotate(key, 'ON_DEMAND');
    return { KeyId: key.arn };
  },
  ListKeyRotations: async (store, input, access) => {
    const key = await keyFor(store, access, input.KeyId, 'kms:ListKeyRotations', keyOnly);
    const current = key.materials.at(-1);
    const materials = input.IncludeKeyMaterial === 'ALL_KEY_MATERIAL' ? key.materials : key.materials.slice(1);
    const { items, ...rest } = page(materials, input);
    return {
      Rotations: items.map((m) => ({
        KeyId: key.keyId,
        KeyMaterialId: materialId(m),
        KeyMaterialState: m === current ? 'CURRENT' : 'NON_CURRENT',
        ...(m.rotationType && { RotationDate: m.createdAt, RotationType: m.rotationType }),
        ...(key.origin === 'EXTERNAL' && importedMaterialEntry(m)),
      })),
      ...rest,
    };
  },
  GetParametersForImport: async (store, input, access) => {
    const key = await importableKey(store, access, input.KeyId, 'kms:GetParametersForImport');
    const { algorithm, spec } = wrappingChoice(input);
    const { publicKey, privateKey } = await newWrappingKeyPair(spec);
    const token = newImportToken();
    const validTo = store.now() + IMPORT_PARAMETERS_VALID_SECONDS;
    store.saveImportParameters(importTokenName(token), {
      keyId: key.keyId,
      wrappingAlgorithm: algorithm,
      privateKey: privateKey.toString('base64'),
      validTo,
    });
    return { KeyId: key.arn, ImportToken: token.toString('base64'), PublicKey: publicKey.toString('base64'), ParametersValidTo: validTo };
  },
  ImportKeyMaterial: async (store, input, access) => {
    const key = await importableKey(store, access, input.KeyId, 'kms:ImportKeyMaterial');
    const expiration = importExpiration(store, input);
    const token = parametersOfToken(store, key, input.ImportToken);
    const secret = unwrapKeyMaterial(token.parameters, input.EncryptedKeyMaterial);
    if (secret.length !== IMPORTED_MATERIAL_BYTES)
      throw incorrectMaterial('The key material of a SYMMETRIC_DEFAULT KMS key must be a 256-bit symmetric key.');
    checkSameMaterial(key, input, importedMaterialId(key.keyId, secret));
    const material = store.importMaterial(key, secret, expiration, input.KeyMaterialDescription);
    // Each import needs new parameters: a token is used once.
    store.forgetImportParameters(token.name);
    return { KeyId: key.arn, KeyMaterialId: materialId(material) };
  },
  DeleteImportedKeyMaterial: async (store, input, access) => {
    const key = external(await keyFor(store, access, input.KeyId, 'kms:DeleteImportedKeyMaterial', keyOnly));
    const material = input.KeyMaterialId === undefined ? key.materials.at(-1) : key.materials.find((m) => materialId(m) === input.KeyMaterialId);
    if (input.KeyMaterialId !== undefined && !material) throw notFound(`Key material ${input.KeyMaterialId} is not associated with ${key.arn}.`);
    // On a key pending import this has no effect (key state table).
    if (material && isImported(material)) store.deleteImportedMaterial(key, material);
    return { KeyId: key.arn, ...(material && { KeyMaterialId: materialId(material) }) };
  },
  GetKeyPolicy: async (store, input, access) => {
    policyName(input.PolicyName);
    const key = await keyFor(store, access, input.KeyId, 'kms:GetKeyPolicy', keyOnly);
    return { Policy: key.policy, PolicyName: 'default' };
  },
  PutKeyPolicy: async (store, input, access) => {
    policyName(input.PolicyName);
    const key = await keyFor(store, access, input.KeyId, 'kms:PutKeyPolicy', keyOnly);
    const policy = parsePolicy(input.Policy);
    await lockoutSafe(access, input.BypassPolicyLockoutSafetyCheck, { arn: key.arn, policy });
    key.policy = policy;
    return {};
  },
};

/** The operation table, with no prototype: only these names are operations. */
export const OPERATIONS: typeof operations = Object.freeze(Object.assign(Object.create(null) as typeof operations, operations));

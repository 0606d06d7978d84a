import { KmsError } from './errors.js';

/**
 * The inputs of the operations the emulator implements, as the KMS service model declares them
 * (botocore `kms/2014-11-01/service-2.json`), and their validation as KMS's request layer does it:
 * a value of the wrong JSON type is a SerializationException, a value outside its constraints a
 * ValidationException listing every violation. Members the model does not know are ignored, as
 * the service ignores them; members it knows are all declared here, so none is silently dropped.
 */
type Shape =
  | { readonly type: 'string'; readonly min?: number; readonly max?: number; readonly pattern?: RegExp; readonly values?: readonly string[] }
  | { readonly type: 'integer'; readonly min: number; readonly max: number }
  | { readonly type: 'boolean' }
  | { readonly type: 'timestamp' }
  | { readonly type: 'blob'; readonly min: number; readonly max: number }
  | { readonly type: 'stringMap' }
  | { readonly type: 'list'; readonly member: Shape; readonly max?: number }
  | StructureShape;

interface StructureShape {
  readonly type: 'structure';
  readonly members: Readonly<Record<string, Shape>>;
  readonly required: readonly string[];
}

type Value<S> = S extends { type: 'string' }
  ? string
  : S extends { type: 'integer' }
    ? number
    : S extends { type: 'boolean' }
      ? boolean
      : S extends { type: 'timestamp' }
        ? number
        : S extends { type: 'blob' }
          ? Buffer
          : S extends { type: 'stringMap' }
            ? Readonly<Record<string, string>>
            : S extends { type: 'list'; member: infer M }
              ? readonly Value<M>[]
              : S extends { type: 'structure'; members: infer Ms; required: readonly (infer R)[] }
                ? Structure<Ms, R & string>
                : never;

type Structure<Ms, R extends string> = { readonly [K in keyof Ms & R]: Value<Ms[K]> } & { readonly [K in Exclude<keyof Ms, R>]?: Value<Ms[K]> };

const text = (constraints: Omit<Extract<Shape, { type: 'string' }>, 'type'> = {}) => ({ type: 'string', ...constraints }) as const;
const int = (min: number, max: number) => ({ type: 'integer', min, max }) as const;
const bytes = (min: number, max: number) => ({ type: 'blob', min, max }) as const;
const bool = { type: 'boolean' } as const;
/** Epoch seconds, as the JSON protocol sends timestamps. */
const timestamp = { type: 'timestamp' } as const;
const map = { type: 'stringMap' } as const;
const struct = <Ms extends Record<string, Shape>, R extends keyof Ms & string = never>(members: Ms, required: readonly R[] = []) =>
  ({ type: 'structure', members, required }) as const;

const keyId = text({ min: 1, max: 2048 });
const grantTokens = { type: 'list', member: text({ min: 1, max: 8192 }), max: 10 } as const;
const encryptionAlgorithm = text({ values: ['SYMMETRIC_DEFAULT', 'RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'SM2PKE'] });
const limit = int(1, 1000);
const marker = text({ min: 1, max: 1024, pattern: /^[\u0020-\u00FF]*$/ });
const policyName = text({ min: 1, max: 128, pattern: /^[\w]+$/ });
// biome-ignore lint/suspicious/noControlCharactersInRegex: KMS's own pattern for policies allows tab, LF and CR.
const policy = text({ min: 1, max: 131072, pattern: /^[\u0009\u000A\u000D\u0020-\u00FF]+$/ });
const aliasName = text({ min: 1, max: 256, pattern: /^[a-zA-Z0-9:/_-]+$/ });
const dryRunModifiers = { type: 'list', member: text({ values: ['IGNORE_CIPHERTEXT'] }) } as const;
const recipient = struct({ KeyEncryptionAlgorithm: text({ values: ['RSAES_OAEP_SHA_256'] }), AttestationDocument: bytes(1, 262144) });
const tags = {
  type: 'list',
  member: struct({ TagKey: text({ min: 1, max: 128 }), TagValue: text({ min: 0, max: 256 }) }, ['TagKey', 'TagValue']),
} as const;
const keySpecs = [
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'ECC_NIST_P256',
  'ECC_NIST_P384',
  'ECC_NIST_P521',
  'ECC_SECG_P256K1',
  'SYMMETRIC_DEFAULT',
  'HMAC_224',
  'HMAC_256',
  'HMAC_384',
  'HMAC_512',
  'SM2',
] as const;
const dataKeySpec = text({ values: ['AES_256', 'AES_128'] });
const keyMaterialId = text({ min: 64, max: 64, pattern: /^[a-f0-9]+$/ });

export const INPUTS = {
  CreateKey: struct({
    Policy: policy,
    Description: text({ min: 0, max: 8192 }),
    KeyUsage: text({ values: ['SIGN_VERIFY', 'ENCRYPT_DECRYPT', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT'] }),
    CustomerMasterKeySpec: text({ values: keySpecs }),
    KeySpec: text({ values: [...keySpecs, 'ML_DSA_44', 'ML_DSA_65', 'ML_DSA_87', 'ECC_NIST_EDWARDS25519'] }),
    Origin: text({ values: ['AWS_KMS', 'EXTERNAL', 'AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE'] }),
    CustomKeyStoreId: text({ min: 1, max: 64 }),
    BypassPolicyLockoutSafetyCheck: bool,
    Tags: tags,
    MultiRegion: bool,
    XksKeyId: text({ min: 1, max: 128, pattern: /^[a-zA-Z0-9-_.]+$/ }),
  }),
  DescribeKey: struct({ KeyId: keyId, GrantTokens: grantTokens }, ['KeyId']),
  ListKeys: struct({ Limit: limit, Marker: marker }),
  CreateAlias: struct({ AliasName: aliasName, TargetKeyId: keyId }, ['AliasName', 'TargetKeyId']),
  ListAliases: struct({ KeyId: keyId, Limit: limit, Marker: marker }),
  DeleteAlias: struct({ AliasName: aliasName }, ['AliasName']),
  Encrypt: struct(
    {
      KeyId: keyId,
      Plaintext: bytes(1, 4096),
      EncryptionContext: map,
      GrantTokens: grantTokens,
      EncryptionAlgorithm: encryptionAlgorithm,
      DryRun: bool,
    },
    ['KeyId', 'Plaintext'],
  ),
  Decrypt: struct({
    CiphertextBlob: bytes(1, 6144),
    EncryptionContext: map,
    GrantTokens: grantTokens,
    KeyId: keyId,
    EncryptionAlgorithm: encryptionAlgorithm,
    Recipient: recipient,
    DryRun: bool,
    DryRunModifiers: dryRunModifiers,
  }),
  GenerateDataKey: struct(
    {
      KeyId: keyId,
      EncryptionContext: map,
      NumberOfBytes: int(1, 1024),
      KeySpec: dataKeySpec,
      GrantTokens: grantTokens,
      Recipient: recipient,
      DryRun: bool,
    },
    ['KeyId'],
  ),
  GenerateDataKeyWithoutPlaintext: struct(
    {
      KeyId: keyId,
      EncryptionContext: map,
      KeySpec: dataKeySpec,
      NumberOfBytes: int(1, 1024),
      GrantTokens: grantTokens,
      DryRun: bool,
    },
    ['KeyId'],
  ),
  ReEncrypt: struct(
    {
      CiphertextBlob: bytes(1, 6144),
      SourceEncryptionContext: map,
      SourceKeyId: keyId,
      DestinationKeyId: keyId,
      DestinationEncryptionContext: map,
      SourceEncryptionAlgorithm: encryptionAlgorithm,
      DestinationEncryptionAlgorithm: encryptionAlgorithm,
      GrantTokens: grantTokens,
      DryRun: bool,
      DryRunModifiers: dryRunModifiers,
    },
    ['DestinationKeyId'],
  ),
  EnableKey: struct({ KeyId: keyId }, ['KeyId']),
  DisableKey: struct({ KeyId: keyId }, ['KeyId']),
  ScheduleKeyDeletion: struct({ KeyId: keyId, PendingWindowInDays: int(1, 365) }, ['KeyId']),
  CancelKeyDeletion: struct({ KeyId: keyId }, ['KeyId']),
  EnableKeyRotation: struct({ KeyId: keyId, RotationPeriodInDays: int(90, 2560) }, ['KeyId']),
  DisableKeyRotation: struct({ KeyId: keyId }, ['KeyId']),
  GetKeyRotationStatus: struct({ KeyId: keyId }, ['KeyId']),
  RotateKeyOnDemand: struct({ KeyId: keyId }, ['KeyId']),
  ListKeyRotations: struct(
    {
      KeyId: keyId,
      IncludeKeyMaterial: text({ values: ['ALL_KEY_MATERIAL', 'ROTATIONS_ONLY'] }),
      Limit: limit,
      Marker: marker,
    },
    ['KeyId'],
  ),
  GetKeyPolicy: struct({ KeyId: keyId, PolicyName: policyName }, ['KeyId']),
  GetParametersForImport: struct(
    {
      KeyId: keyId,
      WrappingAlgorithm: text({
        values: ['RSAES_PKCS1_V1_5', 'RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_256', 'SM2PKE'],
      }),
      WrappingKeySpec: text({ values: ['RSA_2048', 'RSA_3072', 'RSA_4096', 'SM2'] }),
    },
    ['KeyId', 'WrappingAlgorithm', 'WrappingKeySpec'],
  ),
  ImportKeyMaterial: struct(
    {
      KeyId: keyId,
      ImportToken: bytes(1, 6144),
      EncryptedKeyMaterial: bytes(1, 6144),
      ValidTo: timestamp,
      ExpirationModel: text({ values: ['KEY_MATERIAL_EXPIRES', 'KEY_MATERIAL_DOES_NOT_EXPIRE'] }),
      ImportType: text({ values: ['NEW_KEY_MATERIAL', 'EXISTING_KEY_MATERIAL'] }),
      KeyMaterialDescription: text({ min: 0, max: 256, pattern: /^[a-zA-Z0-9:/_\s.-]+$/ }),
      KeyMaterialId: keyMaterialId,
    },
    ['KeyId', 'ImportToken', 'EncryptedKeyMaterial'],
  ),
  DeleteImportedKeyMaterial: struct({ KeyId: keyId, KeyMaterialId: keyMaterialId }, ['KeyId']),
  PutKeyPolicy: struct({ KeyId: keyId, PolicyName: policyName, Policy: policy, BypassPolicyLockoutSafetyCheck: bool }, ['KeyId', 'Policy']),
} as const;

export type OperationName = keyof typeof INPUTS;
export type InputOf<Op extends OperationName> = Value<(typeof INPUTS)[Op]>;

export const isOperation = (name: string): name is OperationName => Object.hasOwn(INPUTS, name);

/** Checks a parsed request body against the operation's input; blobs come back decoded. */
export function validateInput<Op extends OperationName>(operation: Op, body: unknown): InputOf<Op> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw mismatch(body, 'structure');
  const violations: string[] = [];
  const input = readStructure(INPUTS[operation], body as Record<string, unknown>, '', violations);
  if (violations.length > 0) {
    const count = `${violations.length} validation error${violations.length > 1 ? 's' : ''} detected`;
    throw new KmsError('ValidationException', `${count}: ${violations.join('; ')}`);
  }
  return input as InputOf<Op>;
}

function read(shape: Shape, value: unknown, path: string, violations: string[]): unknown {
  switch (shape.type) {
    case 'string':
      return check(violations, path, shape, scalar(value, 'string', 'String'));
    case 'integer': {
      if (!Number.isInteger(value)) throw mismatch(value, 'Integer');
      const number = value as number;
      if (number < shape.min) violations.push(violation(path, number, `Member must have value greater than or equal to ${shape.min}`));
      if (number > shape.max) violations.push(violation(path, number, `Member must have value less than or equal to ${shape.max}`));
      return number;
    }
    case 'boolean':
      return scalar(value, 'boolean', 'Boolean');
    case 'timestamp': {
      if (typeof value !== 'number' || !Number.isFinite(value)) throw mismatch(value, 'Timestamp');
      return value;
    }
    case 'blob': {
      const bytes = base64(scalar(value, 'string', 'ByteBuffer'));
      lengthWithin(violations, path, undefined, bytes.length, shape.min, shape.max);
      return bytes;
    }
    case 'stringMap': {
      const map = objectValue(value, 'Map');
      for (const entry of Object.values(map)) scalar(entry, 'string', 'String');
      return map;
    }
    case 'list': {
      if (!Array.isArray(value)) throw mismatch(value, 'List');
      if (shape.max !== undefined && value.length > shape.max) {
        violations.push(violation(path, `[${value.join(', ')}]`, `Member must have length less than or equal to ${shape.max}`));
      }
      return value.map((item, index) => read(shape.member, item, `${path}.${index + 1}.member`, violations));
    }
    case 'structure':
      return readStructure(shape, objectValue(value, 'Structure'), path, violations);
  }
}

function readStructure(shape: StructureShape, value: Record<string, unknown>, path: string, violations: string[]): Record<string, unknown> {
  const input: Record<string, unknown> = Object.create(null);
  for (const [name, member] of Object.entries(shape.members)) {
    const memberPath = `${path && `${path}.`}${name[0]!.toLowerCase()}${name.slice(1)}`;
    // JSON null is an absent member, as the service reads it.
    const given = Object.hasOwn(value, name) ? value[name] : undefined;
    if (given === undefined || given === null) {
      if (shape.required.includes(name)) violations.push(`Value null at '${memberPath}' failed to satisfy constraint: Member must not be null`);
      continue;
    }
    input[name] = read(member, given, memberPath, violations);
  }
  return input;
}

function check(violations: string[], path: string, shape: Extract<Shape, { type: 'string' }>, text: string): string {
  lengthWithin(violations, path, text, text.length, shape.min, shape.max);
  if (shape.pattern && !shape.pattern.test(text))
    violations.push(violation(path, text, `Member must satisfy regular expression pattern: ${shape.pattern.source}`));
  if (shape.values && !shape.values.includes(text))
    violations.push(violation(path, text, `Member must satisfy enum value set: [${shape.values.join(', ')}]`));
  return text;
}

/** Lengths are checked as the service does; blob values are never echoed back. */
function lengthWithin(violations: string[], path: string, shown: string | undefined, length: number, min?: number, max?: number): void {
  if (min !== undefined && length < min) violations.push(violation(path, shown, `Member must have length greater than or equal to ${min}`));
  if (max !== undefined && length > max) violations.push(violation(path, shown, `Member must have length less than or equal to ${max}`));
}

function violation(path: string, shown: string | number | undefined, constraint: string): string {
  return `Value ${shown === undefined ? '' : `'${shown}' `}at '${path}' failed to satisfy constraint: ${constraint}`;
}

function scalar<T extends 'string' | 'boolean'>(value: unknown, type: T, javaType: string): T extends 'string' ? string : boolean {
  if (typeof value !== type) throw mismatch(value, javaType);
  return value as T extends 'string' ? string : boolean;
}

function objectValue(value: unknown, javaType: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw mismatch(value, javaType);
  return value as Record<string, unknown>;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function base64(text: string): Buffer {
  if (!BASE64.test(text)) throw new KmsError('SerializationException', 'Base64 encoded value is not valid.');
  return Buffer.from(text, 'base64');
}

/** A value of the wrong JSON type: SerializationException, worded after the service's JSON reader. */
function mismatch(value: unknown, expected: string): KmsError {
  if (Array.isArray(value)) return new KmsError('SerializationException', 'Start of list found where not expected');
  if (value !== null && typeof value === 'object')
    return new KmsError('SerializationException', 'Start of structure or map found where not expected.');
  const found = value === null ? 'null' : typeof value === 'number' ? 'NUMBER_VALUE' : typeof value === 'boolean' ? 'BOOLEAN_VALUE' : 'STRING_VALUE';
  return new KmsError('SerializationException', `${found} can not be converted to ${/^[AEIOU]/.test(expected) ? 'an' : 'a'} ${expected}`);
}

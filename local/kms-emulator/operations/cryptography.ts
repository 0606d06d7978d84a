import { randomBytes } from 'node:crypto';
import { invalidCiphertext, open, readHeader, seal } from '../ciphertext-blob.js';
import { KmsError, validation } from '../errors.js';
import type { InputOf } from '../input-shapes.js';
import type { EmulatedKey, KeyStore } from '../key-store.js';
import { SYMMETRIC_DEFAULT } from './key-metadata.js';
import { usable } from './key-states.js';
import { authorize, keyFor, type Access, type EncryptionContext, type OperationFamily } from './operation.js';
import { dryRun, refuseUnemulated } from './request-guards.js';

/** Encryption, decryption and data keys: what needs a usable key and its current (or named) material. */
export const cryptographicOperations = {
  Encrypt: async (store, input, access) => {
    const context = input.EncryptionContext ?? {};
    const key = usable(await keyFor(store, access, input.KeyId, 'kms:Encrypt', { context, grantTokens: input.GrantTokens }));
    fitsKey(input.EncryptionAlgorithm);
    dryRun(input);
    return { KeyId: key.arn, CiphertextBlob: encryptWith(store, key, input.Plaintext, context), EncryptionAlgorithm: SYMMETRIC_DEFAULT };
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
    return { KeyId: key.arn, Plaintext: plaintext.toString('base64'), EncryptionAlgorithm: SYMMETRIC_DEFAULT };
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
      SourceEncryptionAlgorithm: SYMMETRIC_DEFAULT,
      DestinationEncryptionAlgorithm: SYMMETRIC_DEFAULT,
    };
  },
} satisfies OperationFamily;

/** A symmetric encryption key encrypts with SYMMETRIC_DEFAULT only. */
function fitsKey(algorithm: string | undefined): void {
  if (algorithm !== undefined && algorithm !== SYMMETRIC_DEFAULT) {
    throw new KmsError('InvalidKeyUsageException', `Algorithm ${algorithm} is incompatible with key spec ${SYMMETRIC_DEFAULT}.`);
  }
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

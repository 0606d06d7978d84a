import { KmsError, notFound, validation } from '../errors.js';
import type { InputOf } from '../input-shapes.js';
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
} from '../key-import.js';
import { DAY_SECONDS, isImported, materialId, type EmulatedKey, type ImportExpiration, type KeyStore } from '../key-store.js';
import { external, notPendingDeletion } from './key-states.js';
import { keyFor, keyOnly, type Access, type OperationFamily } from './operation.js';
import { unsupported } from './request-guards.js';

/** SYMMETRIC_DEFAULT imported material is a 256-bit key (About imported key material). */
const IMPORTED_MATERIAL_BYTES = 32;
const MAX_IMPORT_VALIDITY_DAYS = 365;

/** Bring your own key material: the wrapping parameters, the import, and deleting what was imported. */
export const keyMaterialImportOperations = {
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
} satisfies OperationFamily;

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

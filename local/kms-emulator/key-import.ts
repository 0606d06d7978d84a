import { constants, createDecipheriv, createHash, createPrivateKey, generateKeyPair, privateDecrypt, randomBytes, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { KmsError } from './errors.js';

/**
 * The server side of importing key material (BYOK): the RSA wrapping key pair GetParametersForImport
 * hands out, and the unwrapping ImportKeyMaterial does with its private key.
 *
 * The wrapping algorithms, as the GetParametersForImport API reference describes them: RSAES_OAEP_*
 * encrypt the key material directly with the RSA public key; RSA_AES_KEY_WRAP_* "encrypt your key
 * material with an AES key that you generate, then encrypt your AES key with the RSA public key",
 * which is PKCS #11's CKM_RSA_AES_KEY_WRAP: RSA-OAEP of the AES key, followed by the AES key wrap
 * with padding (RFC 5649) of the material.
 */
export const WRAPPING_ALGORITHMS = ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_256'] as const;
export type WrappingAlgorithm = (typeof WRAPPING_ALGORITHMS)[number];

export const WRAPPING_KEY_BITS = { RSA_2048: 2048, RSA_3072: 3072, RSA_4096: 4096 } as const;
export type WrappingKeySpec = keyof typeof WRAPPING_KEY_BITS;

/** The import token and public key of one GetParametersForImport answer are valid for 24 hours. */
export const IMPORT_PARAMETERS_VALID_SECONDS = 24 * 3600;

/** What an import token stands for: the key, the algorithm and the private key, until it expires. */
export interface ImportParameters {
  readonly keyId: string;
  readonly wrappingAlgorithm: WrappingAlgorithm;
  /** Base64 PKCS #8 DER. Stored in clear in the local state file, as the material is. */
  readonly privateKey: string;
  /** Epoch seconds. */
  readonly validTo: number;
}

/** RFC 5649's alternative initial value, which is the IV node:crypto's `-wrap-pad` ciphers take. */
const KEY_WRAP_PAD_IV = Buffer.from('A65959A6', 'hex');
const AES_KEY_BYTES = [16, 24, 32];

export const isWrappingAlgorithm = (name: string): name is WrappingAlgorithm => (WRAPPING_ALGORITHMS as readonly string[]).includes(name);
export const isWrappingKeySpec = (name: string): name is WrappingKeySpec => Object.hasOwn(WRAPPING_KEY_BITS, name);

/** A fresh RSA wrapping key pair: the public key as DER SubjectPublicKeyInfo, the private key as PKCS #8 DER. */
export async function newWrappingKeyPair(spec: WrappingKeySpec): Promise<{ publicKey: Buffer; privateKey: Buffer }> {
  return promisify(generateKeyPair)('rsa', {
    modulusLength: WRAPPING_KEY_BITS[spec],
    publicKeyEncoding: { type: 'spki', format: 'der' },
    privateKeyEncoding: { type: 'pkcs8', format: 'der' },
  });
}

/** A new import token: random, and only a name for the parameters the emulator keeps. */
export const newImportToken = (): Buffer => randomBytes(48);
export const importTokenName = (token: Buffer): string => createHash('sha256').update(token).digest('hex');

/** The key material inside an EncryptedKeyMaterial, or InvalidCiphertextException as KMS answers when it cannot unwrap it. */
export function unwrapKeyMaterial(parameters: ImportParameters, encrypted: Buffer): Buffer {
  const privateKey = createPrivateKey({ key: Buffer.from(parameters.privateKey, 'base64'), format: 'der', type: 'pkcs8' });
  const hash = parameters.wrappingAlgorithm.endsWith('SHA_256') ? 'sha256' : 'sha1';
  try {
    if (parameters.wrappingAlgorithm.startsWith('RSAES_OAEP')) return rsaOaepDecrypt(privateKey, hash, encrypted);
    const rsaBytes = privateKey.asymmetricKeyDetails!.modulusLength! / 8;
    const aesKey = rsaOaepDecrypt(privateKey, hash, encrypted.subarray(0, rsaBytes));
    return aesKeyUnwrapWithPadding(aesKey, encrypted.subarray(rsaBytes));
  } catch {
    throw new KmsError('InvalidCiphertextException', 'KMS could not decrypt the encrypted (wrapped) key material.');
  }
}

function rsaOaepDecrypt(privateKey: KeyObject, hash: string, ciphertext: Buffer): Buffer {
  return privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, ciphertext);
}

function aesKeyUnwrapWithPadding(aesKey: Buffer, wrapped: Buffer): Buffer {
  if (!AES_KEY_BYTES.includes(aesKey.length)) throw new Error('not an AES key');
  const decipher = createDecipheriv(`id-aes${aesKey.length * 8}-wrap-pad`, aesKey, KEY_WRAP_PAD_IV);
  return Buffer.concat([decipher.update(wrapped), decipher.final()]);
}

/**
 * The internal id of imported material. KMS "assigns a unique identifier to the key material based
 * on the KMS key ID and the imported key material" (ImportKeyMaterial, KeyMaterialId), so the same
 * material imported again gets the same id, and the ciphertexts that name it decrypt again.
 */
export const importedMaterialId = (keyId: string, material: Buffer): string =>
  createHash('sha256').update(`kms-emulator imported material\0${keyId}\0`).update(material).digest('hex').slice(0, 32);

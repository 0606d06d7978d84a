import type { DataKeyValue, EncryptionContext, OpenedValue } from '../../../contract/index.js';

export interface GeneratedDataKey extends Omit<DataKeyValue, 'plaintextKey'> {
  /** Zero it (`fill(0)`) once used. */
  readonly plaintextKey?: Buffer;
}

export interface DecryptResult extends Omit<OpenedValue, 'plaintext'> {
  readonly plaintext: Buffer;
}

/**
 * What the encrypted file format needs of the API: a fresh data key to seal a file under, and the
 * sealed copy in a file's header opened again. `EnvelopeClient` is one; the file functions need
 * nothing else of it.
 */
export interface DataKeys {
  generateDataKey(keyId: string, context?: EncryptionContext): Promise<GeneratedDataKey>;
  decrypt(ciphertext: string, context?: EncryptionContext): Promise<DecryptResult>;
}

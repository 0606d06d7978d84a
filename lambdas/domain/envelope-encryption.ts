import { assertUsable, authorize } from './authorization.js';
import type { DataKeyRef } from './ciphertext-token.js';
import { openWithDataKey, parseToken, sealWithDataKey } from './data-key-cipher.js';
import type { DataKeyRecord } from './data-key.js';
import { isDeleted } from './data-key.js';
import type { DataKeyStore } from './data-key-store.js';
import { assertContextSize, type EncryptionContext } from './encryption-context.js';
import { invalidCiphertext, ServiceError } from './errors.js';
import { findKey } from './key-lookup.js';
import type { MasterKey } from './master-key.js';

export interface SealedResult {
  readonly ciphertext: string;
  readonly keyId: string;
  readonly keyVersion: number;
}

export interface OpenedResult {
  readonly plaintext: Buffer;
  readonly keyId: string;
  readonly keyVersion: number;
}

/** Largest plaintext one request may carry. */
export const MAX_PLAINTEXT_BYTES = 4 * 1024 * 1024;

/**
 * Encrypts, decrypts and rewraps under data keys: each operation unwraps the data key through KMS,
 * uses it in memory and zeroes it before returning.
 */
export class EnvelopeEncryption {
  constructor(
    private readonly store: DataKeyStore,
    private readonly masterKey: MasterKey,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async encrypt(caller: string, keyRef: string, plaintext: Uint8Array, context?: EncryptionContext): Promise<SealedResult> {
    assertContextSize(context);
    const record = await findKey(this.store, keyRef, this.now());
    authorize(record, caller, 'use');
    assertUsable(record);
    return this.seal(record, plaintext, context);
  }

  async decrypt(caller: string, ciphertext: string, context?: EncryptionContext): Promise<OpenedResult> {
    assertContextSize(context);
    const { token, record } = await this.openable(caller, ciphertext);
    const plaintext = await this.withDataKey(token, (dataKey) => openWithDataKey(dataKey, token, context));
    return { plaintext, keyId: record.keyId, keyVersion: token.keyVersion };
  }

  /** Re-encrypts under the key's current version; the plaintext stays inside the service. */
  async rewrap(caller: string, ciphertext: string, context?: EncryptionContext): Promise<SealedResult> {
    assertContextSize(context);
    const { token, record } = await this.openable(caller, ciphertext);
    const plaintext = await this.withDataKey(token, (dataKey) => openWithDataKey(dataKey, token, context));
    try {
      return await this.seal(record, plaintext, context);
    } finally {
      plaintext.fill(0);
    }
  }

  private async seal(record: DataKeyRecord, plaintext: Uint8Array, context?: EncryptionContext): Promise<SealedResult> {
    const ref = { keyId: record.keyId, keyVersion: record.currentVersion };
    const ciphertext = await this.withDataKey(ref, (dataKey) => sealWithDataKey(dataKey, ref, plaintext, context));
    return { ciphertext, ...ref };
  }

  private async openable(caller: string, ciphertext: string) {
    const token = parseToken(ciphertext);
    const record = await this.store.getRecord(token.keyId);
    if (!record || isDeleted(record, this.now())) {
      throw new ServiceError('KeyNotFound', `The key of this ciphertext was not found.`);
    }
    authorize(record, caller, 'use');
    assertUsable(record);
    if (token.keyVersion > record.currentVersion) throw invalidCiphertext();
    return { token, record };
  }

  private async withDataKey<T>(ref: DataKeyRef, use: (dataKey: Uint8Array) => T): Promise<T> {
    const stored = await this.store.getVersion(ref.keyId, ref.keyVersion);
    if (!stored) throw new Error(`Version ${ref.keyVersion} of key ${ref.keyId} has no stored data key.`);
    const dataKey = await this.masterKey.unwrapDataKey(ref, stored.wrappedKey);
    try {
      return use(dataKey);
    } finally {
      dataKey.fill(0);
    }
  }
}

import { randomBytes } from 'node:crypto';
import { assertUsable, authorizeUse, type KeyUse, useAuthorizer } from './authorization.js';
import { parseToken, type DataKeyRef, type ParsedToken, type SealedToken } from './ciphertext-token.js';
import { openWithKey, sealWithMessageKey } from './data-key-cipher.js';
import type { DataKeyRecord } from './data-key.js';
import { MAX_BATCH_KEY_VERSIONS } from '../../contract/index.js';
import { DataKeyProvider, type DataKeyCacheLimits, type DataKeySource } from './data-key-provider.js';
import type { DataKeyStore } from './data-key-store.js';
import { assertContextSize, type EncryptionContext } from './encryption-context.js';
import { invalidCiphertext, ServiceError } from './errors.js';
import { KeyDirectory } from './key-directory.js';
import type { MasterKey } from './master-key.js';
import { assertDecryptable } from './version-lifecycle.js';
import { VersionUsage } from './version-usage.js';

export interface SealedResult {
  readonly ciphertext: SealedToken;
  readonly keyId: string;
  readonly keyVersion: number;
}

export interface OpenedResult {
  readonly plaintext: Buffer;
  readonly keyId: string;
  readonly keyVersion: number;
}

export interface PlaintextItem {
  readonly plaintext: Buffer;
  readonly context?: EncryptionContext;
}

export interface DataKeyRequest {
  readonly context?: EncryptionContext;
  readonly withPlaintext: boolean;
}

export interface GeneratedDataKey extends SealedResult {
  /** Present unless asked for without: the caller zeroes it after use. */
  readonly plaintextKey?: Buffer;
}

/** AES_256, the one data-key spec: 32 bytes. */
const DATA_KEY_BYTES = 32;

export interface CiphertextItem {
  /** The token in its text form (`ev2.…`, or `ev1.…`) or its binary form. */
  readonly ciphertext: string | Uint8Array;
  readonly context?: EncryptionContext;
}

/** One item of a batch: its result, or the error that item alone ran into. */
export type ItemOutcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ServiceError };

/** Data keys as stored: wrapped in DynamoDB, unwrapped through KMS. Nothing is written. */
export function storedDataKeys(store: DataKeyStore, masterKey: MasterKey): DataKeySource {
  return {
    unwrap: async (ref, wrappedKey) => {
      const stored = wrappedKey ?? (await store.getVersion(ref.keyId, ref.keyVersion))?.wrappedKey;
      // Its item expired (a destruction or a deletion's time-to-live): nothing can open under it again.
      if (!stored) throw new ServiceError('InvalidCiphertext', `Version ${ref.keyVersion} of key ${ref.keyId} has no data key any more.`);
      return masterKey.unwrapDataKey(ref, stored);
    },
  };
}

/**
 * Encrypts, decrypts and rewraps under data keys, unwrapped through KMS and used only in memory
 * (see DataKeyProvider for how long they are kept).
 */
export class EnvelopeEncryption {
  /** Wires the service over a store and master key, with caches bounded by `limits`. */
  static over(store: DataKeyStore, masterKey: MasterKey, limits: DataKeyCacheLimits, now: () => Date = () => new Date()): EnvelopeEncryption {
    const keys = new KeyDirectory(store, { maxAgeMs: limits.maxAgeSeconds * 1000, maxEntries: limits.maxEntries, now });
    return new EnvelopeEncryption(keys, new DataKeyProvider(storedDataKeys(store, masterKey), limits), now, new VersionUsage(store, now));
  }

  constructor(
    private readonly keys: KeyDirectory,
    private readonly dataKeys: DataKeyProvider,
    private readonly now: () => Date = () => new Date(),
    /** Where each version's last decrypt or rewrap is kept; none: not kept. */
    private readonly usage?: VersionUsage,
  ) {}

  async encrypt(caller: string, keyRef: string, item: PlaintextItem): Promise<SealedResult> {
    assertContextSize(item.context);
    return this.seal(await this.usableKey(caller, keyRef, this.use('encrypt', item.context)), item);
  }

  async decrypt(caller: string, item: CiphertextItem): Promise<OpenedResult> {
    const { plaintext, token } = await this.open(caller, item, 'decrypt');
    return { plaintext, keyId: token.keyId, keyVersion: token.keyVersion };
  }

  /**
   * A fresh 256-bit data key for client-side encryption, as KMS's GenerateDataKey: random bytes
   * from node:crypto, returned with their seal under the key's current version and the context
   * (an ordinary ciphertext, which decrypt opens for the key's users). The caller owns the
   * plaintext key and must zero it; without `withPlaintext` it is zeroed here.
   */
  async generateDataKey(caller: string, keyRef: string, { context, withPlaintext }: DataKeyRequest): Promise<GeneratedDataKey> {
    assertContextSize(context);
    const plaintextKey = randomBytes(DATA_KEY_BYTES);
    try {
      const sealed = await this.seal(await this.usableKey(caller, keyRef, this.use('generateDataKey', context)), {
        plaintext: plaintextKey,
        context,
      });
      return { ...sealed, ...(withPlaintext && { plaintextKey: Buffer.from(plaintextKey) }) };
    } finally {
      plaintextKey.fill(0);
    }
  }

  /** Re-encrypts under the key's current version (and as ev2); the plaintext stays inside the service. */
  async rewrap(caller: string, item: CiphertextItem): Promise<SealedResult> {
    const { plaintext, record } = await this.open(caller, item, 'rewrap');
    try {
      return await this.seal(record, { plaintext, context: item.context });
    } finally {
      plaintext.fill(0);
    }
  }

  /**
   * Encrypts a batch under one key: the key is resolved, and its message key taken, once for the
   * batch; each item succeeds or fails alone.
   */
  async encryptMany(caller: string, keyRef: string, items: readonly PlaintextItem[]): Promise<ItemOutcome<SealedResult>[]> {
    // The batch needs some right to encrypt; each item's context is then checked against it.
    const use = this.use('encrypt', null);
    const record = await this.usableKey(caller, keyRef, use);
    const authorize = useAuthorizer(record, caller, 'encrypt', use.now);
    const checked = items.map((item) =>
      checkedItem(() => {
        assertContextSize(item.context);
        authorize(item.context);
        return item;
      }),
    );
    const sealed = await this.sealEach(
      record,
      checked.flatMap((item) => (item.ok ? [item.value] : [])),
    );
    let next = 0;
    return checked.map((item) => (item.ok ? { ok: true, value: sealed[next++]! } : item));
  }

  decryptMany(caller: string, items: readonly CiphertextItem[]): Promise<ItemOutcome<OpenedResult>[]> {
    assertBatchKeyVersions(items);
    return Promise.all(items.map((item) => outcome(() => this.decrypt(caller, item))));
  }

  rewrapMany(caller: string, items: readonly CiphertextItem[]): Promise<ItemOutcome<SealedResult>[]> {
    assertBatchKeyVersions(items);
    return Promise.all(items.map((item) => outcome(() => this.rewrap(caller, item))));
  }

  /** Parses, authorizes and decrypts; returns the record it was checked against, for rewrap. */
  private async open(caller: string, { ciphertext, context }: CiphertextItem, operation: 'decrypt' | 'rewrap') {
    assertContextSize(context);
    const token = parseToken(ciphertext);
    const record = await this.openable(caller, token, this.use(operation, context));
    const wrappedKey = currentWrappedKey(record, token.keyVersion);
    const plaintext = await this.dataKeys.forDecryption(token, (key) => openWithKey(key, token, context), wrappedKey);
    await this.usage?.used(token.keyId, token.keyVersion);
    return { plaintext, token, record };
  }

  private async usableKey(caller: string, keyRef: string, use: KeyUse): Promise<DataKeyRecord> {
    return this.checkedForUse(await this.keys.find(keyRef), caller, use);
  }

  private use(operation: KeyUse['operation'], context: KeyUse['context']): KeyUse {
    return { operation, context, now: this.now() };
  }

  /**
   * A cached record may allow for at most the cache's max age after a change, but never denies on
   * stale grounds: a refusal is checked again against a fresh read, within a budget of fresh reads
   * per key (KeyDirectory.recheck).
   */
  private async checkedForUse(record: DataKeyRecord, caller: string, use: KeyUse, version?: number): Promise<DataKeyRecord> {
    const check = (candidate: DataKeyRecord) => {
      authorizeUse(candidate, caller, use);
      assertUsable(candidate);
      if (version !== undefined && version <= candidate.currentVersion) assertDecryptable(candidate, version, use.now);
      return candidate;
    };
    try {
      return check(record);
    } catch (error) {
      if (!(error instanceof ServiceError)) throw error;
      return check(await this.keys.recheck(record.keyId));
    }
  }

  private async sealEach(record: DataKeyRecord, items: readonly PlaintextItem[]): Promise<SealedResult[]> {
    const ref = currentRef(record);
    const ciphertexts = await this.dataKeys.forEncryptionOfEach(
      ref,
      items.map(({ plaintext }) => plaintext.length),
      (messageKey, index) => sealWithMessageKey(messageKey, items[index]!.plaintext, items[index]!.context),
      currentWrappedKey(record, ref.keyVersion),
    );
    return ciphertexts.map((ciphertext) => ({ ciphertext, ...ref }));
  }

  private async seal(record: DataKeyRecord, { plaintext, context }: PlaintextItem): Promise<SealedResult> {
    const ref = currentRef(record);
    const ciphertext = await this.dataKeys.forEncryption(
      ref,
      plaintext.length,
      (messageKey) => sealWithMessageKey(messageKey, plaintext, context),
      currentWrappedKey(record, ref.keyVersion),
    );
    return { ciphertext, ...ref };
  }

  /**
   * The record a token may be opened against. A token naming no existing key is malformed like
   * any other: answering KeyNotFound would let one changed bit tell whether a key id exists.
   */
  private async openable(caller: string, token: ParsedToken, use: KeyUse): Promise<DataKeyRecord> {
    try {
      let record = await this.keys.get(token.keyId);
      // A version newer than the cached record may come from a rotation elsewhere: look again.
      if (token.keyVersion > record.currentVersion) record = await this.keys.recheck(token.keyId);
      // Whoever asks, and whatever a grant allows: a retired or destroyed version opens nothing.
      record = await this.checkedForUse(record, caller, use, token.keyVersion);
      if (token.keyVersion > record.currentVersion) throw invalidCiphertext();
      return record;
    } catch (error) {
      throw error instanceof ServiceError && error.code === 'KeyNotFound' ? invalidCiphertext() : error;
    }
  }
}

/** What sealing under a key uses: its current version. */
const currentRef = ({ keyId, currentVersion }: DataKeyRecord): DataKeyRef => ({ keyId, keyVersion: currentVersion });

/** The record's copy of a version's wrapped key, when it is the current version. */
function currentWrappedKey(record: DataKeyRecord, version: number): Uint8Array | undefined {
  return record.currentVersion === version ? record.currentWrappedKey : undefined;
}

/** Refuses a batch whose well-formed tokens name more distinct key versions than one request may unwrap. */
function assertBatchKeyVersions(items: readonly CiphertextItem[]): void {
  const versions = new Set<string>();
  for (const { ciphertext } of items) {
    try {
      const { keyId, keyVersion } = parseToken(ciphertext);
      versions.add(`${keyId}#${keyVersion}`);
    } catch {
      // A malformed token fails as its own item.
    }
  }
  if (versions.size > MAX_BATCH_KEY_VERSIONS) {
    throw new ServiceError(
      'ValidationError',
      `A batch may name at most ${MAX_BATCH_KEY_VERSIONS} distinct key versions; this one names ${versions.size}. Split it by key.`,
    );
  }
}

async function outcome<T>(run: () => Promise<T>): Promise<ItemOutcome<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    return failedItem(error);
  }
}

function checkedItem<T>(run: () => T): ItemOutcome<T> {
  try {
    return { ok: true, value: run() };
  } catch (error) {
    return failedItem(error);
  }
}

/** A service error fails its item alone; anything else fails the request. */
function failedItem(error: unknown): ItemOutcome<never> {
  if (error instanceof ServiceError) return { ok: false, error };
  throw error;
}

import { createSecretKey, type KeyObject } from 'node:crypto';
import type { DataKeyRef, ParsedToken } from './ciphertext-token.js';
import { deriveMessageKey, keyForToken, newMessageKey, type DataKeyMaterial, type MessageKey } from './data-key-cipher.js';
import { ExpiringCache } from './expiring-cache.js';

/** Bounds on how long and how much one unwrapped data key may be used from memory. */
export interface DataKeyCacheLimits {
  /** 0 turns caching off: every operation unwraps through KMS. */
  readonly maxAgeSeconds: number;
  /** Messages one cached key may encrypt before it is unwrapped afresh (never more than 2^32). */
  readonly maxMessagesPerKey: number;
  /** Plaintext bytes one cached key may encrypt before it is unwrapped afresh. */
  readonly maxBytesPerKey: number;
  readonly maxEntries: number;
}

export const DEFAULT_CACHE_LIMITS: DataKeyCacheLimits = {
  maxAgeSeconds: 60,
  maxMessagesPerKey: 1_000_000,
  maxBytesPerKey: 2 ** 40,
  maxEntries: 1000,
};

interface CachedKey {
  readonly dataKey: KeyObject;
  /** The key this instance encrypts under, derived once per load under a fresh random salt. */
  readonly messageKey: MessageKey;
  messages: number;
  bytes: number;
  /** Keys derived for the salts of ciphertexts this instance opened (most from one other instance each). */
  readonly opened: Map<string, KeyObject>;
}

/** Where keys come from: KMS unwraps them. */
export interface DataKeySource {
  /** Unwraps a version's key; `wrappedKey`, when the caller has it already, saves reading it. */
  unwrap(ref: DataKeyRef, wrappedKey?: Uint8Array): Promise<Uint8Array>;
}

/** Told whether uses of a data key (one, or a batch's) found it in the cache; a miss waited for an unwrap. */
export type DataKeyCacheObserver = (lookup: 'hit' | 'miss', uses?: number) => void;

/**
 * Random 96-bit IVs keep AES-GCM within NIST SP 800-38D's bound for at most 2^32 messages per key;
 * each message key stops far earlier, at the cache's message limit, whatever that is set to.
 */
export const MAX_MESSAGES_PER_MESSAGE_KEY = 2 ** 32;

/** Messages one message key encrypts: the cache's limit, never beyond the hard ceiling of 2^32. */
export function messagesPerMessageKey(limits: DataKeyCacheLimits): number {
  return Math.min(limits.maxMessagesPerKey, MAX_MESSAGES_PER_MESSAGE_KEY);
}

/** Loads one encrypt waits for before it takes a message key of its own (one unwrap, no cache). */
const MAX_LOADS_PER_ENCRYPT = 64;
/** Derived keys kept per cached data key for opening ciphertexts of other salts. */
const OPENED_KEYS_PER_ENTRY = 64;

/**
 * Hands out keys for synchronous use, within the cache's limits. Each load unwraps the data key
 * through KMS, imports it once into a KeyObject (the raw bytes are zeroed at once; Node wipes the
 * KeyObject's native copy when it is released after eviction) and derives a message key under a
 * fresh random salt. Messages are counted per message key by this process alone, so no two
 * processes ever share one and nothing needs counting anywhere else.
 */
export class DataKeyProvider {
  private readonly cache: ExpiringCache<CachedKey>;
  private readonly maxMessages: number;

  constructor(
    private readonly source: DataKeySource,
    private readonly limits: DataKeyCacheLimits = DEFAULT_CACHE_LIMITS,
    private readonly observe: DataKeyCacheObserver = () => {},
  ) {
    this.cache = new ExpiringCache<CachedKey>({ maxAgeMs: limits.maxAgeSeconds * 1000, maxEntries: limits.maxEntries });
    this.maxMessages = messagesPerMessageKey(limits);
  }

  /**
   * Runs `use` with the message key to encrypt `bytes` of plaintext under, counting the message
   * against it. A cached key that is full leaves the cache, and the next load draws a new salt; a
   * message no fresh key could take (over the byte limit) gets a message key of its own.
   */
  async forEncryption<T>(ref: DataKeyRef, bytes: number, use: (messageKey: MessageKey) => T, wrappedKey?: Uint8Array): Promise<T> {
    if (this.cache.enabled && this.maxMessages >= 1 && bytes <= this.limits.maxBytesPerKey) {
      const id = cacheId(ref);
      let lookup: 'hit' | 'miss' = 'hit';
      // Each load serves at least one waiting message, so concurrent callers past a key's limit
      // share the next load rather than each unwrapping; the bound only stops starvation.
      for (let attempt = 0; attempt < MAX_LOADS_PER_ENCRYPT; attempt++) {
        const cached = this.cache.peek(id);
        if (!cached) lookup = 'miss';
        const entry = cached ?? (await this.load(id, ref, wrappedKey));
        if (entry.messages + 1 <= this.maxMessages && entry.bytes + bytes <= this.limits.maxBytesPerKey) {
          entry.messages += 1;
          entry.bytes += bytes;
          this.observe(lookup);
          return use(entry.messageKey);
        }
        // Full: only this entry leaves (concurrent callers may have loaded its successor already).
        if (this.cache.peek(id) === entry) this.cache.delete(id);
      }
    }
    const dataKey = await this.importKey(ref, wrappedKey);
    this.observe('miss');
    return use(newMessageKey(dataKey, ref));
  }

  /**
   * `forEncryption` for each of a batch's messages (`sizes`, their plaintext bytes), in order: one
   * cache lookup and one count for the whole batch when the cached key (or the one loaded for it)
   * can take every message; message by message otherwise, as `forEncryption` rolls keys over.
   */
  async forEncryptionOfEach<T>(
    ref: DataKeyRef,
    sizes: readonly number[],
    use: (messageKey: MessageKey, index: number) => T,
    wrappedKey?: Uint8Array,
  ): Promise<T[]> {
    if (sizes.length === 0) return [];
    const bytes = sizes.reduce((sum, size) => sum + size, 0);
    if (this.cache.enabled && sizes.length <= this.maxMessages && bytes <= this.limits.maxBytesPerKey) {
      const id = cacheId(ref);
      const cached = this.cache.peek(id);
      const entry = cached ?? (await this.load(id, ref, wrappedKey));
      if (entry.messages + sizes.length <= this.maxMessages && entry.bytes + bytes <= this.limits.maxBytesPerKey) {
        entry.messages += sizes.length;
        entry.bytes += bytes;
        this.observe(cached ? 'hit' : 'miss', sizes.length);
        return sizes.map((_, index) => use(entry.messageKey, index));
      }
    }
    return Promise.all(sizes.map((size, index) => this.forEncryption(ref, size, (messageKey) => use(messageKey, index), wrappedKey)));
  }

  /** Runs `use` with the AES key that opens `token` (see `keyForToken`). */
  async forDecryption<T>(token: ParsedToken, use: (key: DataKeyMaterial) => T, wrappedKey?: Uint8Array): Promise<T> {
    if (!this.cache.enabled) {
      const dataKey = await this.importKey(token, wrappedKey);
      this.observe('miss');
      return use(keyForToken(dataKey, token));
    }
    const id = cacheId(token);
    const cached = this.cache.peek(id);
    const entry = cached ?? (await this.load(id, token, wrappedKey));
    this.observe(cached ? 'hit' : 'miss');
    return use(openingKey(entry, token));
  }

  private load(id: string, ref: DataKeyRef, wrappedKey?: Uint8Array): Promise<CachedKey> {
    return this.cache.get(id, async () => {
      const dataKey = await this.importKey(ref, wrappedKey);
      return { dataKey, messageKey: newMessageKey(dataKey, ref), messages: 0, bytes: 0, opened: new Map() };
    });
  }

  private async importKey(ref: DataKeyRef, wrappedKey?: Uint8Array): Promise<KeyObject> {
    const raw = await this.source.unwrap(ref, wrappedKey);
    try {
      return createSecretKey(raw);
    } finally {
      raw.fill(0);
    }
  }
}

/** The key for a token's salt: this instance's own, one derived before, or one derived now. */
function openingKey(entry: CachedKey, token: ParsedToken): DataKeyMaterial {
  if (token.salt === undefined) return entry.dataKey;
  if (token.salt.equals(entry.messageKey.salt)) return entry.messageKey.key;
  const saltId = token.salt.toString('base64');
  let key = entry.opened.get(saltId);
  if (!key) {
    key = deriveMessageKey(entry.dataKey, token, token.salt);
    if (entry.opened.size >= OPENED_KEYS_PER_ENTRY) entry.opened.delete(entry.opened.keys().next().value!);
    entry.opened.set(saltId, key);
  }
  return key;
}

const cacheId = ({ keyId, keyVersion }: DataKeyRef) => `${keyId}#${keyVersion}`;

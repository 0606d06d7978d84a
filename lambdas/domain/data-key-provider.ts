import { createSecretKey, type KeyObject } from 'node:crypto';
import type { DataKeyRef } from './ciphertext-token.js';
import { ExpiringCache } from './expiring-cache.js';

/** Bounds on how long and how much one unwrapped data key may be used from memory. */
export interface DataKeyCacheLimits {
  /** 0 turns caching off: every operation unwraps through KMS. */
  readonly maxAgeSeconds: number;
  /** Messages one cached key may encrypt before it is unwrapped afresh. */
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

/** Reads the limits from `ENVELOPE_CACHE_*` variables, falling back to the defaults. */
export function cacheLimitsFromEnv(env: Record<string, string | undefined> = process.env): DataKeyCacheLimits {
  const read = (name: string, fallback: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, not ${raw}.`);
    return value;
  };
  return {
    maxAgeSeconds: read('ENVELOPE_CACHE_MAX_AGE_SECONDS', DEFAULT_CACHE_LIMITS.maxAgeSeconds),
    maxMessagesPerKey: read('ENVELOPE_CACHE_MAX_MESSAGES', DEFAULT_CACHE_LIMITS.maxMessagesPerKey),
    maxBytesPerKey: read('ENVELOPE_CACHE_MAX_BYTES', DEFAULT_CACHE_LIMITS.maxBytesPerKey),
    maxEntries: read('ENVELOPE_CACHE_MAX_ENTRIES', DEFAULT_CACHE_LIMITS.maxEntries),
  };
}

interface CachedKey {
  readonly key: KeyObject;
  messages: number;
  bytes: number;
  /** Messages reserved from the version's nonce budget and not yet used. */
  budget: number;
}

/** Where keys come from: KMS unwraps them; the store keeps each version's nonce budget. */
export interface DataKeySource {
  /** Unwraps a version's key; `wrappedKey`, when the caller has it already, saves reading it. */
  unwrap(ref: DataKeyRef, wrappedKey?: Uint8Array): Promise<Uint8Array>;
  /** Reserves `count` messages of the version's nonce budget; false once it is spent. */
  reserve(ref: DataKeyRef, count: number): Promise<boolean>;
}

/** The version has encrypted as many messages as random IVs allow: a new version is needed. */
export class NonceBudgetExhausted extends Error {
  override readonly name = 'NonceBudgetExhausted';
}

/** Messages reserved from a version's budget at a time, so that counting costs one write per block. */
const RESERVATION_BLOCK = 100_000;

/**
 * Hands out data keys for synchronous use, within the cache's limits. The unwrapped bytes are
 * imported once into a KeyObject and zeroed at once; the KeyObject's native copy is wiped by Node
 * (OPENSSL_clear_free) when it is released after eviction. Raw bytes passed to each cipher call
 * would leave one such native copy per message instead.
 */
export class DataKeyProvider {
  private readonly cache: ExpiringCache<CachedKey>;
  private readonly reserving = new Map<string, Promise<void>>();

  constructor(private readonly source: DataKeySource, private readonly limits: DataKeyCacheLimits = DEFAULT_CACHE_LIMITS) {
    this.cache = new ExpiringCache<CachedKey>({
      maxAgeMs: limits.maxAgeSeconds * 1000,
      maxEntries: limits.maxEntries,
    });
  }

  /** Runs `use` with the key to encrypt `bytes` of plaintext, counting the message against it. */
  async forEncryption<T>(ref: DataKeyRef, bytes: number, use: (key: KeyObject) => T, wrappedKey?: Uint8Array): Promise<T> {
    if (!this.cache.enabled) return this.once(ref, 1, use, wrappedKey);
    const id = cacheId(ref);
    for (let attempt = 0; attempt < 4; attempt++) {
      const entry = this.cache.peek(id);
      if (!entry) {
        await this.load(id, ref, wrappedKey);
      } else if (entry.messages + 1 > this.limits.maxMessagesPerKey || entry.bytes + bytes > this.limits.maxBytesPerKey) {
        this.cache.delete(id);
      } else if (entry.budget === 0) {
        await this.topUp(id, ref, entry);
      } else {
        entry.messages += 1;
        entry.bytes += bytes;
        entry.budget -= 1;
        return use(entry.key);
      }
    }
    return this.once(ref, 1, use, wrappedKey);
  }

  async forDecryption<T>(ref: DataKeyRef, use: (key: KeyObject) => T, wrappedKey?: Uint8Array): Promise<T> {
    if (!this.cache.enabled) return this.once(ref, 0, use, wrappedKey);
    const id = cacheId(ref);
    for (let attempt = 0; attempt < 3; attempt++) {
      const entry = this.cache.peek(id);
      if (entry) return use(entry.key);
      await this.load(id, ref, wrappedKey);
    }
    return this.once(ref, 0, use, wrappedKey);
  }

  private load(id: string, ref: DataKeyRef, wrappedKey?: Uint8Array): Promise<CachedKey> {
    return this.cache.get(id, async () => ({ key: await this.importKey(ref, wrappedKey), messages: 0, bytes: 0, budget: 0 }));
  }

  private async importKey(ref: DataKeyRef, wrappedKey?: Uint8Array): Promise<KeyObject> {
    const raw = await this.source.unwrap(ref, wrappedKey);
    try {
      return createSecretKey(raw);
    } finally {
      raw.fill(0);
    }
  }

  private topUp(id: string, ref: DataKeyRef, entry: CachedKey): Promise<void> {
    let pending = this.reserving.get(id);
    if (!pending) {
      const block = Math.min(RESERVATION_BLOCK, this.limits.maxMessagesPerKey);
      pending = this.source.reserve(ref, block).then((granted) => {
        if (!granted) throw new NonceBudgetExhausted();
        entry.budget += block;
      }).finally(() => this.reserving.delete(id));
      this.reserving.set(id, pending);
    }
    return pending;
  }

  /** Without the cache: reserve what encryption needs, unwrap, use once. */
  private async once<T>(ref: DataKeyRef, messages: number, use: (key: KeyObject) => T, wrappedKey?: Uint8Array): Promise<T> {
    if (messages > 0 && !(await this.source.reserve(ref, messages))) throw new NonceBudgetExhausted();
    return use(await this.importKey(ref, wrappedKey));
  }
}

const cacheId = ({ keyId, keyVersion }: DataKeyRef) => `${keyId}#${keyVersion}`;

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
  readonly key: Uint8Array;
  messages: number;
  bytes: number;
}

export type Unwrap = (ref: DataKeyRef) => Promise<Uint8Array>;

/**
 * Hands out plaintext data keys for synchronous use. Cached keys are shared within the limits and
 * zeroed when they leave the cache; uncached keys are zeroed right after use. Use is synchronous
 * on purpose: nothing can evict and zero a key between the check and the use.
 */
export class DataKeyProvider {
  private readonly cache: ExpiringCache<CachedKey>;

  constructor(private readonly unwrap: Unwrap, private readonly limits: DataKeyCacheLimits = DEFAULT_CACHE_LIMITS) {
    this.cache = new ExpiringCache<CachedKey>({
      maxAgeMs: limits.maxAgeSeconds * 1000,
      maxEntries: limits.maxEntries,
      onEvict: (entry) => entry.key.fill(0),
    });
  }

  /** Runs `use` with the key to encrypt `bytes` of plaintext, counting the message against it. */
  async forEncryption<T>(ref: DataKeyRef, bytes: number, use: (key: Uint8Array) => T): Promise<T> {
    return this.withKey(ref, use, (entry) => {
      if (entry.messages + 1 > this.limits.maxMessagesPerKey || entry.bytes + bytes > this.limits.maxBytesPerKey) return false;
      entry.messages += 1;
      entry.bytes += bytes;
      return true;
    });
  }

  async forDecryption<T>(ref: DataKeyRef, use: (key: Uint8Array) => T): Promise<T> {
    return this.withKey(ref, use, () => true);
  }

  private async withKey<T>(ref: DataKeyRef, use: (key: Uint8Array) => T, admit: (entry: CachedKey) => boolean): Promise<T> {
    if (!this.cache.enabled) return useOnce(await this.unwrap(ref), use);
    const id = `${ref.keyId}#${ref.keyVersion}`;
    for (let attempt = 0; attempt < 3; attempt++) {
      const entry = this.cache.peek(id);
      if (entry && admit(entry)) return use(entry.key);
      if (entry) this.cache.delete(id);
      await this.cache.get(id, async () => ({ key: await this.unwrap(ref), messages: 0, bytes: 0 }));
    }
    // Under heavy eviction pressure, fall back to a private key rather than spin.
    return useOnce(await this.unwrap(ref), use);
  }
}

function useOnce<T>(key: Uint8Array, use: (key: Uint8Array) => T): T {
  try {
    return use(key);
  } finally {
    key.fill(0);
  }
}

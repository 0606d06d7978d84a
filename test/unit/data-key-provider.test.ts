import { randomBytes } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { DataKeyProvider, NonceBudgetExhausted, type DataKeyCacheLimits, type DataKeySource } from '../../lambdas/domain/data-key-provider.js';

const ref = { keyId: '11111111-1111-4111-8111-111111111111', keyVersion: 1 };
const limits = (overrides: Partial<DataKeyCacheLimits> = {}): DataKeyCacheLimits => ({
  maxAgeSeconds: 60, maxMessagesPerKey: 1000, maxBytesPerKey: 1 << 20, maxEntries: 10, ...overrides,
});

/** Counts unwraps and reservations; every unwrap hands out a new buffer so zeroing can be observed. */
function countingSource(budget = Number.MAX_SAFE_INTEGER) {
  const handedOut: Uint8Array[] = [];
  let reserved = 0;
  const source: DataKeySource & { unwraps: number; reservations: number } = {
    unwraps: 0,
    reservations: 0,
    unwrap: async () => {
      source.unwraps += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
      const key = randomBytes(32);
      handedOut.push(key);
      return key;
    },
    reserve: async (_ref, count) => {
      source.reservations += 1;
      if (reserved + count > budget) return false;
      reserved += count;
      return true;
    },
  };
  return { source, handedOut };
}

describe('DataKeyProvider', () => {
  it('makes one unwrap for 50 concurrent cold requests for the same key version', async () => {
    const { source } = countingSource();
    const provider = new DataKeyProvider(source, limits());
    await Promise.all(Array.from({ length: 50 }, () => provider.forEncryption(ref, 10, (key) => key.symmetricKeySize)));
    expect(source.unwraps).toBe(1);
    expect(source.reservations).toBe(1);
  });

  it('unwraps and zeroes per use when the max age is 0', async () => {
    const { source, handedOut } = countingSource();
    const provider = new DataKeyProvider(source, limits({ maxAgeSeconds: 0 }));
    for (let i = 0; i < 3; i++) await provider.forDecryption(ref, (key) => key.symmetricKeySize);
    expect(source.unwraps).toBe(3);
    expect(handedOut.every((key) => key.every((byte) => byte === 0))).toBe(true);
  });

  it('expires keys after the max age', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const { source, handedOut } = countingSource();
      const provider = new DataKeyProvider(source, limits({ maxAgeSeconds: 1 }));
      await provider.forDecryption(ref, () => undefined);
      await provider.forDecryption(ref, () => undefined);
      expect(source.unwraps).toBe(1);
      vi.setSystemTime(Date.now() + 1001);
      await provider.forDecryption(ref, () => undefined);
      expect(source.unwraps).toBe(2);
      expect(handedOut[0]!.every((byte) => byte === 0)).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('re-unwraps after the message and byte limits per cached key', async () => {
    const { source, handedOut } = countingSource();
    const provider = new DataKeyProvider(source, limits({ maxMessagesPerKey: 3, maxBytesPerKey: 100 }));
    for (let i = 0; i < 7; i++) await provider.forEncryption(ref, 1, () => undefined);
    expect(source.unwraps).toBe(3);
    // The third key holds 1 message of 1 byte: 99 more bytes fit its 100, the next 99 do not.
    await provider.forEncryption(ref, 99, () => undefined);
    expect(source.unwraps).toBe(3);
    await provider.forEncryption(ref, 99, () => undefined);
    expect(source.unwraps).toBe(4);
    expect(handedOut.slice(0, 3).every((key) => key.every((byte) => byte === 0))).toBe(true);
  });

  it('evicts the least recently used key beyond max entries', async () => {
    const { source } = countingSource();
    const provider = new DataKeyProvider(source, limits({ maxEntries: 2 }));
    for (const keyVersion of [1, 2, 3]) await provider.forDecryption({ ...ref, keyVersion }, () => undefined);
    await provider.forDecryption({ ...ref, keyVersion: 3 }, () => undefined);
    expect(source.unwraps).toBe(3);
    await provider.forDecryption({ ...ref, keyVersion: 1 }, () => undefined);
    expect(source.unwraps).toBe(4);
  });

  it('zeroes the unwrapped bytes as soon as they are imported, cached or not', async () => {
    const { source, handedOut } = countingSource();
    const cached = new DataKeyProvider(source, limits());
    const uncached = new DataKeyProvider(source, limits({ maxAgeSeconds: 0 }));
    await cached.forEncryption(ref, 1, (key) => expect(key.symmetricKeySize).toBe(32));
    await uncached.forDecryption(ref, (key) => expect(key.symmetricKeySize).toBe(32));
    expect(handedOut).toHaveLength(2);
    expect(handedOut.every((key) => key.every((byte) => byte === 0))).toBe(true);
  });

  it('refuses to encrypt once the version’s nonce budget is spent', async () => {
    const { source } = countingSource(5);
    const provider = new DataKeyProvider(source, limits({ maxMessagesPerKey: 5 }));
    for (let i = 0; i < 5; i++) await provider.forEncryption(ref, 1, () => undefined);
    await expect(provider.forEncryption(ref, 1, () => undefined)).rejects.toBeInstanceOf(NonceBudgetExhausted);
    // Decryption under the spent version still works.
    await expect(provider.forDecryption(ref, (key) => key.symmetricKeySize)).resolves.toBe(32);
  });
});

import { randomBytes, type KeyObject } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { parseToken, type DataKeyRef, type ParsedToken } from '../../lambdas/domain/ciphertext-token.js';
import { openWithKey, sealWithMessageKey } from '../../lambdas/domain/data-key-cipher.js';
import {
  DataKeyProvider,
  MAX_MESSAGES_PER_MESSAGE_KEY,
  messagesPerMessageKey,
  type DataKeyCacheLimits,
  type DataKeySource,
} from '../../lambdas/domain/data-key-provider.js';

const ref = { keyId: '11111111-1111-4111-8111-111111111111', keyVersion: 1 };
const limits = (overrides: Partial<DataKeyCacheLimits> = {}): DataKeyCacheLimits => ({
  maxAgeSeconds: 60,
  maxMessagesPerKey: 1000,
  maxBytesPerKey: 1 << 20,
  maxEntries: 10,
  ...overrides,
});

/** Counts unwraps; every unwrap hands out a new buffer (a copy of one data key) so zeroing can be observed. */
function countingSource(dataKey = randomBytes(32)) {
  const handedOut: Uint8Array[] = [];
  const source: DataKeySource & { unwraps: number } = {
    unwraps: 0,
    unwrap: async () => {
      source.unwraps += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
      const key = Buffer.from(dataKey);
      handedOut.push(key);
      return key;
    },
  };
  return { source, handedOut };
}

/** An ev1 token of a version: the provider hands out the data key itself for it. */
const ev1 = (version: DataKeyRef): ParsedToken => ({
  ...version,
  format: 'ev1',
  header: Buffer.alloc(0),
  iv: Buffer.alloc(12),
  ciphertext: Buffer.alloc(0),
  tag: Buffer.alloc(16),
});
const sizeOf = (key: KeyObject | Uint8Array) => (key instanceof Uint8Array ? key.length : key.symmetricKeySize);

describe('DataKeyProvider', () => {
  it('makes one unwrap for 50 concurrent cold requests for the same key version', async () => {
    const { source } = countingSource();
    const provider = new DataKeyProvider(source, limits());
    const salts = await Promise.all(Array.from({ length: 50 }, () => provider.forEncryption(ref, 10, (key) => key.salt.toString('hex'))));
    expect(source.unwraps).toBe(1);
    expect(new Set(salts).size).toBe(1);
  });

  it('unwraps and zeroes per use when the max age is 0', async () => {
    const { source, handedOut } = countingSource();
    const provider = new DataKeyProvider(source, limits({ maxAgeSeconds: 0 }));
    for (let i = 0; i < 3; i++) await provider.forDecryption(ev1(ref), sizeOf);
    expect(source.unwraps).toBe(3);
    expect(handedOut.every((key) => key.every((byte) => byte === 0))).toBe(true);
  });

  it('expires keys after the max age', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const { source, handedOut } = countingSource();
      const provider = new DataKeyProvider(source, limits({ maxAgeSeconds: 1 }));
      await provider.forDecryption(ev1(ref), () => undefined);
      await provider.forDecryption(ev1(ref), () => undefined);
      expect(source.unwraps).toBe(1);
      vi.setSystemTime(Date.now() + 1001);
      await provider.forDecryption(ev1(ref), () => undefined);
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
    for (const keyVersion of [1, 2, 3]) await provider.forDecryption(ev1({ ...ref, keyVersion }), () => undefined);
    await provider.forDecryption(ev1({ ...ref, keyVersion: 3 }), () => undefined);
    expect(source.unwraps).toBe(3);
    await provider.forDecryption(ev1({ ...ref, keyVersion: 1 }), () => undefined);
    expect(source.unwraps).toBe(4);
  });

  it('zeroes the unwrapped bytes as soon as they are imported, cached or not', async () => {
    const { source, handedOut } = countingSource();
    const cached = new DataKeyProvider(source, limits());
    const uncached = new DataKeyProvider(source, limits({ maxAgeSeconds: 0 }));
    await cached.forEncryption(ref, 1, (key) => expect(key.key.symmetricKeySize).toBe(32));
    await uncached.forDecryption(ev1(ref), (key) => expect(sizeOf(key)).toBe(32));
    expect(handedOut).toHaveLength(2);
    expect(handedOut.every((key) => key.every((byte) => byte === 0))).toBe(true);
  });

  it('derives a new message key under a new salt at each load: at the message limit, and in every instance', async () => {
    const { source } = countingSource();
    const provider = new DataKeyProvider(source, limits({ maxMessagesPerKey: 2 }));
    const salts = [];
    for (let i = 0; i < 6; i++) salts.push(await provider.forEncryption(ref, 1, (key) => key.salt.toString('hex')));
    expect(new Set(salts).size).toBe(3);
    expect(salts[0]).toBe(salts[1]);
    const other = new DataKeyProvider(countingSource().source, limits());
    expect(await other.forEncryption(ref, 1, (key) => key.salt.toString('hex'))).not.toBe(
      await provider.forEncryption(ref, 1, (key) => key.salt.toString('hex')),
    );
    // Encrypting needs no coordination: the source is asked to unwrap, never to count.
    expect(Object.keys(source)).toEqual(['unwraps', 'unwrap']);
  });

  it('switches salt exactly at the message limit, and at the byte limit', async () => {
    const provider = new DataKeyProvider(countingSource().source, limits({ maxMessagesPerKey: 5, maxBytesPerKey: 10 }));
    const salt = (bytes: number) => provider.forEncryption(ref, bytes, (key) => key.salt.toString('hex'));
    const byMessages: string[] = [];
    for (let i = 0; i < 11; i++) byMessages.push(await salt(0));
    expect(byMessages.map((s) => byMessages.indexOf(s))).toEqual([0, 0, 0, 0, 0, 5, 5, 5, 5, 5, 10]);
    // The key holding 1 message of 0 bytes takes 10 bytes in all, then hands over.
    const byBytes = [await salt(4), await salt(6), await salt(1)];
    expect(byBytes[0]).toBe(byMessages[10]);
    expect(byBytes[1]).toBe(byMessages[10]);
    expect(byBytes[2]).not.toBe(byMessages[10]);
  });

  it("takes one message key for a batch's messages: one unwrap, one salt, each message counted", async () => {
    const { source } = countingSource();
    const provider = new DataKeyProvider(source, limits({ maxMessagesPerKey: 5 }));
    const batch = await provider.forEncryptionOfEach(ref, [1, 2, 3], (key, index) => `${key.salt.toString('hex')}#${index}`);
    const [salt] = batch[0]!.split('#');
    expect(batch).toEqual([0, 1, 2].map((index) => `${salt}#${index}`));
    expect(source.unwraps).toBe(1);
    // Three of the key's five messages are spent: two more fit, the sixth takes a new salt.
    const next = [];
    for (let i = 0; i < 3; i++) next.push(await provider.forEncryption(ref, 1, (key) => key.salt.toString('hex')));
    expect(next.map((s) => s === salt)).toEqual([true, true, false]);
  });

  it('rolls a batch over as single messages would when the cached key cannot take it whole', async () => {
    const { source } = countingSource();
    const provider = new DataKeyProvider(source, limits({ maxMessagesPerKey: 5, maxBytesPerKey: 100 }));
    const first = await provider.forEncryption(ref, 1, (key) => key.salt.toString('hex'));
    const batch = await provider.forEncryptionOfEach(ref, [1, 1, 1, 1, 1], (key) => key.salt.toString('hex'));
    expect(batch.map((s) => s === first)).toEqual([true, true, true, true, false]);
    // Bytes too: the new key holds 1 byte, so 99 more fit it and a batch of 100 does not.
    const byBytes = await provider.forEncryptionOfEach(ref, [50, 49, 1], (key) => key.salt.toString('hex'));
    expect(byBytes.map((s) => s === batch[4])).toEqual([true, true, false]);
  });

  it("unwraps for each of a batch's messages when the max age is 0, as for single ones", async () => {
    const { source } = countingSource();
    const provider = new DataKeyProvider(source, limits({ maxAgeSeconds: 0 }));
    const salts = await provider.forEncryptionOfEach(ref, [1, 1, 1], (key) => key.salt.toString('hex'));
    expect(source.unwraps).toBe(3);
    expect(new Set(salts).size).toBe(3);
  });

  it("tells the observer of every use of a batch's key, hit or miss", async () => {
    const lookups: [string, number | undefined][] = [];
    const provider = new DataKeyProvider(countingSource().source, limits(), (lookup, uses) => lookups.push([lookup, uses]));
    await provider.forEncryptionOfEach(ref, [1, 1, 1, 1], () => undefined);
    await provider.forEncryptionOfEach(ref, [1, 1], () => undefined);
    expect(lookups).toEqual([
      ['miss', 4],
      ['hit', 2],
    ]);
  });

  it('never lets a message key encrypt more than 2^32 messages, whatever the limits say', () => {
    expect(MAX_MESSAGES_PER_MESSAGE_KEY).toBe(2 ** 32);
    expect(messagesPerMessageKey(limits({ maxMessagesPerKey: 2 ** 40 }))).toBe(2 ** 32);
    expect(messagesPerMessageKey(limits({ maxMessagesPerKey: Number.MAX_SAFE_INTEGER }))).toBe(2 ** 32);
    expect(messagesPerMessageKey(limits({ maxMessagesPerKey: 1_000_000 }))).toBe(1_000_000);
  });

  it('gives a message no fresh key could take a message key of its own, with one unwrap, keeping the cached one', async () => {
    const { source } = countingSource();
    const provider = new DataKeyProvider(source, limits({ maxBytesPerKey: 100 }));
    const cached = await provider.forEncryption(ref, 1, (key) => key.salt.toString('hex'));
    const big = await provider.forEncryption(ref, 101, (key) => key.salt.toString('hex'));
    expect(big).not.toBe(cached);
    expect(source.unwraps).toBe(2);
    expect(await provider.forEncryption(ref, 1, (key) => key.salt.toString('hex'))).toBe(cached);
    expect(source.unwraps).toBe(2);
  });

  it('never uses one salt in two instances: 50 providers, 20 loads each, with concurrent encrypts', async () => {
    const dataKey = randomBytes(32);
    const salts = new Set<string>();
    let used = 0;
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        const { source } = countingSource(dataKey);
        const provider = new DataKeyProvider(source, limits({ maxMessagesPerKey: 3 }));
        const mine = await Promise.all(Array.from({ length: 60 }, () => provider.forEncryption(ref, 1, (key) => key.salt.toString('hex'))));
        const distinct = new Set(mine);
        // Past a key's limit, concurrent encrypts share the next load: 20 unwraps for 60 messages.
        expect(source.unwraps).toBe(20);
        expect(distinct.size).toBe(20);
        for (const s of distinct) expect(mine.filter((m) => m === s)).toHaveLength(3);
        used += distinct.size;
        for (const s of distinct) salts.add(s);
      }),
    );
    expect(used).toBe(1000);
    expect(salts.size).toBe(1000);
  });

  it('opens what another instance sealed under the same data key, cached or not', async () => {
    const dataKey = randomBytes(32);
    const sealer = new DataKeyProvider(countingSource(dataKey).source, limits());
    const tokens = await Promise.all(
      ['a', 'b'].map((text) => sealer.forEncryption(ref, 1, (key) => sealWithMessageKey(key, Buffer.from(text)).toString())),
    );
    for (const maxAgeSeconds of [60, 0]) {
      const { source } = countingSource(dataKey);
      const opener = new DataKeyProvider(source, limits({ maxAgeSeconds }));
      for (const token of [...tokens, ...tokens]) {
        const parsed = parseToken(token);
        expect(['a', 'b']).toContain((await opener.forDecryption(parsed, (key) => openWithKey(key, parsed))).toString());
      }
      expect(source.unwraps).toBe(maxAgeSeconds === 0 ? 4 : 1);
    }
  });
});

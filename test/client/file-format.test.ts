import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createEncryptStream,
  DEFAULT_FRAME_SIZE,
  FileFormatError,
  MAX_FRAME_SIZE,
  MIN_FRAME_SIZE,
  readHeader,
} from '../../packages/client/src/file-format/index.js';
import { assertSequenceNumberAllowed } from '../../packages/client/src/file-format/frames.js';
import { DATA_KEY, chunked, decrypt, encrypt, encryptOptions, fcOptions, headerLength, referenceEncrypt, splitFile } from './file-format-support.js';

interface Vector {
  name: string;
  dataKeyHex: string;
  messageIdHex: string;
  encryptedKey: string;
  keyId: string;
  keyVersion: number;
  context: Record<string, string>;
  frameSize: number;
  plaintextHex: string;
  fileHex: string;
}

const { vectors } = JSON.parse(readFileSync(new URL('../fixtures/file-format-vectors.json', import.meta.url), 'utf8')) as { vectors: Vector[] };

/** Frame overhead: regular frames carry 16 header + 16 tag bytes, the final frame 24 + 16. */
const expectedFileLength = (file: Buffer, plaintextLength: number, frameSize: number) =>
  headerLength(file) + Math.floor(plaintextLength / frameSize) * (frameSize + 32) + 40 + (plaintextLength % frameSize);

describe('file format round trip', () => {
  it('decrypts what it encrypts, for any bytes, frame size and write boundaries', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 2000 }),
        fc.integer({ min: MIN_FRAME_SIZE, max: 600 }),
        fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.integer({ min: 1, max: 900 }), { minLength: 1, maxLength: 4 }),
        async (bytes, frameSize, writeSizes, readSizes) => {
          const plaintext = Buffer.from(bytes);
          const file = await encrypt(plaintext, { frameSize }, writeSizes);
          expect(file.length).toBe(expectedFileLength(file, plaintext.length, frameSize));
          expect((await decrypt(file, {}, readSizes)).equals(plaintext)).toBe(true);
        },
      ),
      fcOptions(150),
    );
  });

  it.each([64, 100, 4096])('round-trips 0 bytes, one frame and every frame boundary ±1 at frame size %i', async (frameSize) => {
    const lengths = [0, 1, frameSize - 1, frameSize, frameSize + 1, 2 * frameSize - 1, 2 * frameSize, 2 * frameSize + 1, 5 * frameSize + 3];
    for (const length of lengths) {
      const plaintext = Buffer.from(Array.from({ length }, (_, i) => (i * 31) & 0xff));
      const file = await encrypt(plaintext, { frameSize });
      const { frames } = splitFile(file);
      expect(frames).toHaveLength(Math.floor(length / frameSize) + 1);
      expect(frames.at(-1)!.readUInt32BE(0)).toBe(0xffff_ffff);
      expect(file.length).toBe(expectedFileLength(file, length, frameSize));
      expect((await decrypt(file)).equals(plaintext)).toBe(true);
    }
  });

  it('round-trips many frames at the default frame size, written and read in odd chunks', async () => {
    const plaintext = Buffer.alloc(3 * 1024 * 1024 + 12_345, 0x5a);
    const file = await encrypt(plaintext, {}, [65_536, 1, 100_003]);
    expect(splitFile(file).frames).toHaveLength(Math.floor(plaintext.length / DEFAULT_FRAME_SIZE) + 1);
    expect((await decrypt(file, {}, [7, 65_568, 1_000_000])).equals(plaintext)).toBe(true);
  });

  it('gives two encryptions of the same plaintext different message ids and bytes', async () => {
    const plaintext = Buffer.from('same');
    const [a, b] = await Promise.all([encrypt(plaintext), encrypt(plaintext)]);
    expect((await readHeader(a)).messageId.equals((await readHeader(b)).messageId)).toBe(false);
    expect(a.equals(b)).toBe(false);
  });
});

describe('file format test vectors', () => {
  const fromVector = (v: Vector) => ({
    ...v,
    dataKey: Buffer.from(v.dataKeyHex, 'hex'),
    messageId: Buffer.from(v.messageIdHex, 'hex'),
    plaintext: Buffer.from(v.plaintextHex, 'hex'),
    file: Buffer.from(v.fileHex, 'hex'),
  });

  it.each(vectors.map((v) => [v.name, v] as const))('decrypts %s', async (_name, vector) => {
    const { file, plaintext, dataKey, context } = fromVector(vector);
    expect((await decrypt(file, { dataKey, expectedContext: context })).equals(plaintext)).toBe(true);
  });

  it.each(vectors.map((v) => [v.name, v] as const))('re-encrypts %s byte for byte', async (_name, vector) => {
    const v = fromVector(vector);
    const options = { ...v, unsafeFixedMessageId: v.messageId };
    expect((await encrypt(v.plaintext, options, [1, 63, 200])).equals(v.file)).toBe(true);
  });

  it.each(vectors.map((v) => [v.name, v] as const))('matches an encoder written from the specification: %s', (_name, vector) => {
    const v = fromVector(vector);
    expect(referenceEncrypt(v).equals(v.file)).toBe(true);
  });

  it.each(vectors.map((v) => [v.name, v] as const))('shows the header of %s without the key', async (_name, vector) => {
    const v = fromVector(vector);
    expect(await readHeader(v.file)).toEqual({
      messageId: v.messageId,
      context: v.context,
      encryptedKey: v.encryptedKey,
      keyId: v.keyId,
      keyVersion: v.keyVersion,
      frameSize: v.frameSize,
    });
  });
});

describe('readHeader', () => {
  it('reads the header from a stream of one-byte chunks and stops there', async () => {
    const file = await encrypt(Buffer.alloc(1000), { keyId: 'ключ-1', keyVersion: 7, context: { b: '1', a: '2' } });
    const source = Readable.from(chunked(file, [1]));
    const header = await readHeader(source);
    expect(header).toMatchObject({ keyId: 'ключ-1', keyVersion: 7, context: { a: '2', b: '1' }, frameSize: DEFAULT_FRAME_SIZE });
    expect(source.destroyed).toBe(true);
  });

  it('refuses a file that ends inside the header, or is not this format', async () => {
    const file = await encrypt(Buffer.alloc(10));
    for (const bytes of [
      file.subarray(0, headerLength(file) - 1),
      Buffer.from('PK\x03\x04 not an encrypted file at all, but long enough to be read'),
    ]) {
      await expect(readHeader(bytes)).rejects.toMatchObject({ name: 'FileFormatError', code: 'InvalidCiphertext' });
    }
  });
});

describe('encryption options', () => {
  const invalid: [string, Parameters<typeof encryptOptions>[0]][] = [
    ['a 16-byte data key', { dataKey: Buffer.alloc(16) }],
    ['a frame size below the minimum', { frameSize: MIN_FRAME_SIZE - 1 }],
    ['a frame size above the maximum', { frameSize: MAX_FRAME_SIZE + 1 }],
    ['a fractional frame size', { frameSize: 1000.5 }],
    ['key version 0', { keyVersion: 0 }],
    ['key version 2^32', { keyVersion: 2 ** 32 }],
    ['an empty key id', { keyId: '' }],
    ['a key id of 256 UTF-8 bytes', { keyId: 'é'.repeat(128) }],
    ['an encrypted key with a space', { encryptedKey: 'ev2. abc' }],
    ['an encrypted key with non-ASCII', { encryptedKey: 'ev2.ключ' }],
    ['an empty encrypted key', { encryptedKey: '' }],
    ['an empty context key', { context: { '': 'x' } }],
    ['a lone surrogate in the context', { context: { a: '\uD800' } }],
    ['a context of more than 8 KiB', { context: { big: 'x'.repeat(9000) } }],
    ['a 16-byte message id', { unsafeFixedMessageId: Buffer.alloc(16) }],
  ];

  it.each(invalid)('refuses %s before writing anything', (_what, options) => {
    expect(() => createEncryptStream(encryptOptions(options))).toThrow(expect.objectContaining({ name: 'FileFormatError', code: 'InvalidArgument' }));
  });

  it('leaves the caller’s data key as it was (it is read only while createEncryptStream runs)', () => {
    const dataKey = Buffer.from(DATA_KEY);
    createEncryptStream(encryptOptions({ dataKey }));
    expect(dataKey.equals(DATA_KEY)).toBe(true);
  });

  it('caps the frame count at 2^32 - 1, the last number only for the final frame', () => {
    expect(() => assertSequenceNumberAllowed(2 ** 32 - 2, false)).not.toThrow();
    expect(() => assertSequenceNumberAllowed(2 ** 32 - 1, true)).not.toThrow();
    expect(() => assertSequenceNumberAllowed(2 ** 32 - 1, false)).toThrow(FileFormatError);
    expect(() => assertSequenceNumberAllowed(2 ** 32, true)).toThrow(expect.objectContaining({ code: 'LimitExceeded' }));
  });
});

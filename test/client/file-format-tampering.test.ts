import { once } from 'node:events';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { createDecryptStream, readHeader } from '../../packages/client/src/file-format/index.js';
import {
  chunked,
  DATA_KEY,
  decrypt,
  decryptOptions,
  encrypt,
  fcOptions,
  OTHER_DATA_KEY,
  referenceContext,
  referenceEncrypt,
  splitFile,
  type DecryptOptions,
  type ReferenceFile,
  collectInto,
} from './file-format-support.js';

const FRAME_SIZE = 64;
const INVALID = {
  name: 'FileFormatError',
  code: 'InvalidCiphertext',
  message: 'The data is not a valid encrypted file for this key, or it was modified.',
};

const expectInvalid = (file: Buffer, options?: DecryptOptions, readSizes?: number[]) =>
  expect(decrypt(file, options, readSizes)).rejects.toMatchObject(INVALID);

const bytes = (length: number) => Buffer.from(Array.from({ length }, (_, i) => (i * 7 + 3) & 0xff));

/** A file of at least `minFrames` regular frames plus the final frame, at a small frame size. */
const framedFile = (minFrames: number) =>
  fc.uint8Array({ minLength: minFrames * FRAME_SIZE, maxLength: (minFrames + 3) * FRAME_SIZE }).map((b) => Buffer.from(b));

const rebuild = (header: Buffer, frames: Buffer[]) => Buffer.concat([header, ...frames]);

describe('tampering is detected', () => {
  it('any flipped bit, anywhere in header or frames', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 5 * FRAME_SIZE }),
        fc.nat(),
        fc.integer({ min: 0, max: 7 }),
        fc.integer({ min: 1, max: 100 }),
        async (plaintext, position, bit, readSize) => {
          const file = await encrypt(Buffer.from(plaintext), { frameSize: FRAME_SIZE });
          file[position % file.length]! ^= 1 << bit;
          await expectInvalid(file, {}, [readSize]);
        },
      ),
      fcOptions(400),
    );
  });

  it('reordered frames', async () => {
    await fc.assert(
      fc.asyncProperty(framedFile(2), fc.nat(), fc.nat(), async (plaintext, i, j) => {
        const { header, frames } = splitFile(await encrypt(plaintext, { frameSize: FRAME_SIZE }));
        const [a, b] = [i % frames.length, j % frames.length];
        fc.pre(a !== b);
        [frames[a], frames[b]] = [frames[b]!, frames[a]!];
        await expectInvalid(rebuild(header, frames));
      }),
      fcOptions(100),
    );
  });

  it('a dropped frame, final frame included', async () => {
    await fc.assert(
      fc.asyncProperty(framedFile(1), fc.nat(), async (plaintext, i) => {
        const { header, frames } = splitFile(await encrypt(plaintext, { frameSize: FRAME_SIZE }));
        frames.splice(i % frames.length, 1);
        await expectInvalid(rebuild(header, frames));
      }),
      fcOptions(100),
    );
  });

  it('a duplicated frame, anywhere', async () => {
    await fc.assert(
      fc.asyncProperty(framedFile(1), fc.nat(), fc.nat(), async (plaintext, i, j) => {
        const { header, frames } = splitFile(await encrypt(plaintext, { frameSize: FRAME_SIZE }));
        frames.splice(j % (frames.length + 1), 0, frames[i % frames.length]!);
        await expectInvalid(rebuild(header, frames));
      }),
      fcOptions(100),
    );
  });

  it('a file cut anywhere, down to nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 4 * FRAME_SIZE }), fc.nat(), async (plaintext, cut) => {
        const file = await encrypt(Buffer.from(plaintext), { frameSize: FRAME_SIZE });
        await expectInvalid(file.subarray(0, cut % file.length));
      }),
      fcOptions(200),
    );
  });

  it('bytes after the final frame, in the same write or a later one', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 3 * FRAME_SIZE }),
        fc.uint8Array({ minLength: 1, maxLength: 100 }),
        fc.boolean(),
        async (plaintext, extra, separateWrite) => {
          const file = await encrypt(Buffer.from(plaintext), { frameSize: FRAME_SIZE });
          const extended = Buffer.concat([file, extra]);
          await expectInvalid(extended, {}, separateWrite ? [file.length, extra.length] : [extended.length]);
        },
      ),
      fcOptions(150),
    );
  });

  it('frames or a header taken from another file under the same data key', async () => {
    await fc.assert(
      fc.asyncProperty(framedFile(1), fc.nat(), async (plaintext, i) => {
        const [one, other] = await Promise.all([encrypt(plaintext, { frameSize: FRAME_SIZE }), encrypt(plaintext, { frameSize: FRAME_SIZE })]);
        const a = splitFile(one);
        const b = splitFile(other);
        const k = i % a.frames.length;
        await expectInvalid(
          rebuild(
            a.header,
            a.frames.map((frame, n) => (n === k ? b.frames[n]! : frame)),
          ),
        );
        await expectInvalid(rebuild(b.header, a.frames));
      }),
      fcOptions(50),
    );
  });

  it('a context rewritten in the header', async () => {
    const file = await encrypt(bytes(100), { context: { tenant: 'acme' } });
    const at = file.indexOf('acme');
    file.write('evil', at);
    expect((await readHeader(file)).context).toEqual({ tenant: 'evil' });
    await expectInvalid(file);
  });
});

describe('files a correct encoder never writes, though their tags verify', () => {
  const reference: ReferenceFile = {
    dataKey: DATA_KEY,
    messageId: Buffer.alloc(32, 9),
    encryptedKey: 'ev2.x',
    keyId: 'key-1',
    keyVersion: 1,
    context: { b: '2', a: '1' },
    frameSize: FRAME_SIZE,
    plaintext: bytes(150),
  };

  it('the reference encoder’s canonical file decrypts (the overrides below are the only difference)', async () => {
    expect((await decrypt(referenceEncrypt(reference))).equals(reference.plaintext)).toBe(true);
  });

  it('an unsorted context (two encodings of one context would make expectedContext checks ambiguous)', async () => {
    const file = referenceEncrypt(reference, { encodedContext: referenceContext(reference.context, 'as-given') });
    await expectInvalid(file);
    await expect(readHeader(file)).rejects.toMatchObject(INVALID);
  });

  it('a final frame as long as a frame, or longer', async () => {
    for (const finalLength of [FRAME_SIZE, FRAME_SIZE + 1]) {
      await expectInvalid(referenceEncrypt(reference, { frames: [bytes(FRAME_SIZE), bytes(finalLength)] }));
    }
  });

  it('a key commitment that does not match the data key', async () => {
    await expectInvalid(referenceEncrypt(reference, { commitment: Buffer.alloc(32) }));
  });

  it('a header whose length fields exceed the limits fails at once, without waiting for the bytes', async () => {
    const stream = createDecryptStream(decryptOptions());
    const failed = once(stream, 'error');
    stream.write(Buffer.concat([Buffer.from('ENVF\x01', 'latin1'), Buffer.alloc(32), Buffer.from([0xff, 0xff])]));
    await expect(failed).resolves.toEqual([expect.objectContaining(INVALID)]);
  });
});

describe('keys and contexts', () => {
  it('a wrong data key fails like any modification', async () => {
    await expectInvalid(await encrypt(bytes(300)), { dataKey: OTHER_DATA_KEY });
  });

  it('an unexpected context fails before the key is unwrapped; the same context in another order passes', async () => {
    const file = await encrypt(bytes(300), { context: { tenant: 'acme', purpose: 'backup' } });
    const unwrapKey = vi.fn(async () => Buffer.from(DATA_KEY));
    await expect(decrypt(file, { unwrapKey, expectedContext: { tenant: 'other', purpose: 'backup' } })).rejects.toMatchObject({
      code: 'ContextMismatch',
    });
    await expect(decrypt(file, { unwrapKey, expectedContext: {} })).rejects.toMatchObject({ code: 'ContextMismatch' });
    expect(unwrapKey).not.toHaveBeenCalled();
    expect((await decrypt(file, { unwrapKey, expectedContext: { purpose: 'backup', tenant: 'acme' } })).equals(bytes(300))).toBe(true);
  });

  it('hands unwrapKey the header’s key fields and context', async () => {
    const file = await encrypt(bytes(10), { encryptedKey: 'ev2.abc', keyId: 'k-9', keyVersion: 9, context: { z: '1', a: '2' } });
    const unwrapKey = vi.fn(async () => Buffer.from(DATA_KEY));
    await decrypt(file, { unwrapKey });
    expect(unwrapKey).toHaveBeenCalledWith({ encryptedKey: 'ev2.abc', keyId: 'k-9', keyVersion: 9, context: { a: '2', z: '1' } });
  });

  it('reports a failing or malformed unwrap as KeyUnwrapFailed, keeping the cause', async () => {
    const file = await encrypt(bytes(10));
    const cause = new Error('AccessDenied');
    await expect(
      decrypt(file, {
        unwrapKey: async () => {
          throw cause;
        },
      }),
    ).rejects.toMatchObject({ code: 'KeyUnwrapFailed', cause });
    await expect(decrypt(file, { unwrapKey: async () => Buffer.alloc(16, 1) })).rejects.toMatchObject({ code: 'KeyUnwrapFailed' });
  });
});

describe('plaintext release and key hygiene', () => {
  it('pushes a frame only after its tag verified: with frame 2 corrupt, the consumer gets frame 1 and nothing of frame 2', async () => {
    const plaintext = bytes(4 * FRAME_SIZE + 10);
    const { header, frames } = splitFile(await encrypt(plaintext, { frameSize: FRAME_SIZE }));
    frames[1]![16 + 5]! ^= 0x80; // a ciphertext byte of frame 2
    const file = rebuild(header, frames);
    for (const readSize of [file.length, 1, 7, 100]) {
      const received: Buffer[] = [];
      const consumer = collectInto(received);
      await expect(pipeline(Readable.from(chunked(file, [readSize])), createDecryptStream(decryptOptions()), consumer)).rejects.toMatchObject(
        INVALID,
      );
      expect(Buffer.concat(received).equals(plaintext.subarray(0, FRAME_SIZE))).toBe(true);
    }
  });

  it('zeroes the data key unwrapKey returned, after success and after failure', async () => {
    const file = await encrypt(bytes(200));
    for (const [dataKey, succeeds] of [
      [Buffer.from(DATA_KEY), true],
      [Buffer.from(OTHER_DATA_KEY), false],
    ] as const) {
      const result = decrypt(file, { unwrapKey: async () => dataKey });
      await (succeeds ? expect(result).resolves.toBeInstanceOf(Buffer) : expect(result).rejects.toMatchObject(INVALID));
      expect(dataKey.every((byte) => byte === 0)).toBe(true);
    }
    const short = Buffer.alloc(16, 1);
    await expect(decrypt(file, { unwrapKey: async () => short })).rejects.toMatchObject({ code: 'KeyUnwrapFailed' });
    expect(short.every((byte) => byte === 0)).toBe(true);
  });

  it('zeroes a data key that arrives after the stream was destroyed, and derives nothing from it', async () => {
    const file = await encrypt(bytes(200));
    const dataKey = Buffer.from(DATA_KEY);
    let deliver!: (key: Buffer) => void;
    const stream = createDecryptStream({ unwrapKey: () => new Promise((resolve) => (deliver = resolve)) });
    stream.on('error', () => {});
    stream.write(file);
    await vi.waitFor(() => expect(deliver).toBeDefined());
    stream.destroy();
    deliver(dataKey);
    await vi.waitFor(() => expect(dataKey.every((byte) => byte === 0)).toBe(true));
  });
});

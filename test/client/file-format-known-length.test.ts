import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PIECE_SIZE } from '../../packages/client/src/file-format/constants.js';
import { FrameSealer } from '../../packages/client/src/file-format/frame-sealer.js';
import { FileFormatError, MIN_FRAME_SIZE } from '../../packages/client/src/file-format/index.js';
import { chunked, decrypt, encrypt, encryptOptions, type EncryptOptions, fcOptions } from './file-format-support.js';

const MESSAGE_ID = Buffer.alloc(32, 0x07);

/** Seals through a sealer told the plaintext's length, with the writes cut as given. */
function sealKnowingLength(plaintext: Buffer, options: EncryptOptions, writeSizes?: number[]): Buffer {
  const sealer = new FrameSealer(encryptOptions({ ...options, plaintextLength: plaintext.length }));
  const sealed = [...sealer.header];
  for (const chunk of chunked(plaintext, writeSizes)) sealed.push(...sealer.update(chunk));
  sealed.push(...sealer.final());
  return Buffer.concat(sealed);
}

describe('FrameSealer told the plaintext length (a regular file)', () => {
  it('writes the very bytes the sealer that gathers frames writes, for any bytes, frame size and write boundaries', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 2000 }),
        fc.integer({ min: MIN_FRAME_SIZE, max: 600 }),
        fc.array(fc.integer({ min: 0, max: 700 }), { minLength: 1, maxLength: 4 }),
        async (bytes, frameSize, writeSizes) => {
          const plaintext = Buffer.from(bytes);
          const options = { frameSize, unsafeFixedMessageId: MESSAGE_ID };
          const file = sealKnowingLength(plaintext, options, writeSizes);
          expect(file.equals(await encrypt(plaintext, options))).toBe(true);
          expect((await decrypt(file)).equals(plaintext)).toBe(true);
        },
      ),
      fcOptions(150),
    );
  });

  it('enciphers a frame in pieces of at most PIECE_SIZE, and a plaintext a multiple of the frame size ends with an empty final frame', async () => {
    const plaintext = Buffer.alloc(2 * 1024 * 1024, 0x3c);
    const sealer = new FrameSealer(encryptOptions({ plaintextLength: plaintext.length }));
    const made = sealer.update(plaintext);
    expect(Math.max(...made.map((bytes) => bytes.length))).toBe(PIECE_SIZE);
    const file = Buffer.concat([...sealer.header, ...made, ...sealer.final()]);
    expect((await decrypt(file)).equals(plaintext)).toBe(true);
  });

  it('refuses a plaintext longer or shorter than declared, as an input that changed while it was read', () => {
    const longer = new FrameSealer(encryptOptions({ frameSize: 64, plaintextLength: 100 }));
    expect(() => longer.update(Buffer.alloc(101))).toThrow(FileFormatError);
    for (const [declared, given] of [
      [100, 99],
      [128, 64],
      [1, 0],
    ] as const) {
      const shorter = new FrameSealer(encryptOptions({ frameSize: 64, plaintextLength: declared }));
      shorter.update(Buffer.alloc(given));
      expect(() => shorter.final()).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
    }
    expect(() => new FrameSealer(encryptOptions({ plaintextLength: -1 }))).toThrow(FileFormatError);
  });
});

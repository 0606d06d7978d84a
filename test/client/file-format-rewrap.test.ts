import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseWholeHeader, readHeader, rewrapHeader } from '../../packages/client/src/file-format/index.js';
import { DATA_KEY, decrypt, encrypt, encryptOptions, fcOptions, headerLength } from './file-format-support.js';

interface Vector {
  dataKeyHex: string;
  encryptedKey: string;
  keyId: string;
  keyVersion: number;
  plaintextHex: string;
  fileHex: string;
  rewrapOf?: number;
}

const { vectors } = JSON.parse(readFileSync(new URL('../fixtures/file-format-vectors.json', import.meta.url), 'utf8')) as { vectors: Vector[] };
const NEW_SEALING = { encryptedKey: 'ev2.resealed-under-version-7', keyId: encryptOptions().keyId, keyVersion: 7 };

/** The file with its header replaced by `rewrapHeader`'s, the body as it was. */
function rewrapped(file: Buffer, dataKey: Buffer, sealing = NEW_SEALING): Buffer {
  const parsed = parseWholeHeader(file);
  return Buffer.concat([rewrapHeader(parsed, dataKey, sealing), file.subarray(parsed.length)]);
}

describe('rewrapHeader', () => {
  it('makes the vectors’ rewrapped file byte for byte from the file it rewraps', () => {
    const vector = vectors.find((v) => v.rewrapOf !== undefined)!;
    const original = vectors[vector.rewrapOf!]!;
    const sealing = { encryptedKey: vector.encryptedKey, keyId: vector.keyId, keyVersion: vector.keyVersion };
    expect(rewrapped(Buffer.from(original.fileHex, 'hex'), Buffer.from(original.dataKeyHex, 'hex'), sealing).toString('hex')).toBe(vector.fileHex);
  });

  it('gives a file that decrypts to the same plaintext under the new sealing, its body unchanged, for any plaintext and frame size', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), fc.integer({ min: 64, max: 256 }), async (bytes, frameSize) => {
        const plaintext = Buffer.from(bytes);
        const file = await encrypt(plaintext, { frameSize });
        const moved = rewrapped(file, DATA_KEY);
        expect(moved.subarray(headerLength(moved))).toEqual(file.subarray(headerLength(file)));
        expect(await readHeader(moved)).toMatchObject({ encryptedKey: NEW_SEALING.encryptedKey, keyVersion: 7, frameSize });
        expect(await decrypt(moved)).toEqual(plaintext);
      }),
      fcOptions(100),
    );
  });

  it('refuses a data key the header does not commit to, and a header changed since it was written, as InvalidCiphertext', async () => {
    const file = await encrypt(Buffer.from('some data'));
    expect(() => rewrapped(file, randomBytes(32))).toThrow(expect.objectContaining({ code: 'InvalidCiphertext' }));
    const changed = Buffer.from(file);
    changed[headerLength(file) - 16 - 32 - 1]! ^= 1; // the frame size's last byte, under the header auth tag
    expect(() => rewrapped(changed, DATA_KEY)).toThrow(expect.objectContaining({ code: 'InvalidCiphertext' }));
  });

  it('refuses a truncated header as InvalidCiphertext', async () => {
    const file = await encrypt(Buffer.from('some data'));
    expect(() => parseWholeHeader(file.subarray(0, headerLength(file) - 1))).toThrow(expect.objectContaining({ code: 'InvalidCiphertext' }));
  });
});

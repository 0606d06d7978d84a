import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeUtf8Chunks } from '../../packages/client/src/utf8-chunks.js';

/** Splits bytes at the given offsets, wherever they fall, multi-byte sequences included. */
function split(bytes: Buffer, offsets: readonly number[]): Buffer[] {
  const cuts = [...new Set(offsets.map((offset) => offset % (bytes.length + 1)))].sort((a, b) => a - b);
  return [...cuts, bytes.length].map((end, index) => bytes.subarray(index === 0 ? 0 : cuts[index - 1], end));
}

describe('decodeUtf8Chunks', () => {
  it('gives the text of the whole, however the bytes were split', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.array(fc.nat(), { maxLength: 8 }), (text, offsets) => {
        expect(decodeUtf8Chunks(split(Buffer.from(text), offsets))).toBe(text);
      }),
    );
  });

  it('decodes invalid bytes as Buffer#toString does, split or not', () => {
    const bytes = Buffer.from([0x61, 0xe6, 0x97, 0xff, 0x62, 0xf0, 0x9f]);
    expect(decodeUtf8Chunks([bytes])).toBe(bytes.toString('utf8'));
    expect(decodeUtf8Chunks(split(bytes, [2, 5]))).toBe(bytes.toString('utf8'));
  });
});

import { Transform, type TransformCallback } from 'node:stream';
import { type DecryptStreamOptions, FrameOpener } from './frame-opener.js';

export type { DecryptStreamOptions, KeyUnwrapRequest } from './frame-opener.js';

/**
 * A Transform from the encrypted file format to plaintext. Each frame's plaintext is pushed only
 * after its tag verified, one frame at a time: when decryption fails, the consumer may already hold
 * the verified frames before the failure and must discard its output.
 */
export function createDecryptStream(options: DecryptStreamOptions): Transform {
  return new DecryptStream(new FrameOpener(options));
}

class DecryptStream extends Transform {
  readonly #opener: FrameOpener;

  constructor(opener: FrameOpener) {
    super();
    this.#opener = opener;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#opener.update(chunk, (plaintext) => this.push(plaintext)).then(() => callback(), callback);
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.#opener.final();
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#opener.release();
    callback(error);
  }
}

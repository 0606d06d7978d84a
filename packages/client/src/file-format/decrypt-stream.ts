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
  readonly #release = (plaintext: Buffer) => {
    this.push(plaintext);
  };

  constructor(opener: FrameOpener) {
    super();
    this.#opener = opener;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let opening: Promise<void> | undefined;
    try {
      opening = this.#opener.update(chunk, this.#release);
    } catch (error) {
      callback(error as Error);
      return;
    }
    // Only the chunk that completes the header waits (for the key); the others are read at once.
    if (opening) opening.then(() => callback(), callback);
    else callback();
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

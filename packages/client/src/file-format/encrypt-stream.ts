import { Transform, type TransformCallback } from 'node:stream';
import { type EncryptStreamOptions, FrameSealer } from './frame-sealer.js';

export type { EncryptStreamOptions } from './frame-sealer.js';

/** A Transform from plaintext to the encrypted file format (docs/file-format.md). */
export function createEncryptStream(options: EncryptStreamOptions): Transform {
  return createSealingStream(new FrameSealer(options));
}

/** A Transform that encrypts through a sealer it takes over (and releases when destroyed). */
export function createSealingStream(sealer: FrameSealer): Transform {
  return new EncryptStream(sealer);
}

class EncryptStream extends Transform {
  readonly #sealer: FrameSealer;

  constructor(sealer: FrameSealer) {
    super();
    this.#sealer = sealer;
    this.#pushAll(sealer.header);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#run(() => this.#sealer.update(chunk), callback);
  }

  override _flush(callback: TransformCallback): void {
    this.#run(() => this.#sealer.final(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#sealer.release();
    callback(error);
  }

  #run(seal: () => readonly Buffer[], callback: TransformCallback): void {
    try {
      this.#pushAll(seal());
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  #pushAll(sealed: readonly Buffer[]): void {
    for (const bytes of sealed) this.push(bytes);
  }
}

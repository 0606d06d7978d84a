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
  /**
   * The buffers each call seals, pushed and then forgotten: one list for the stream's life rather
   * than one per write, as what a frame allocates on the JS heap is what slows the stream in a large
   * heap (each allocation brings the collector's marking onto this thread).
   */
  readonly #sealed: Buffer[] = [];

  constructor(sealer: FrameSealer) {
    super();
    this.#sealer = sealer;
    this.#pushAll(sealer.header);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.#pushSealed(this.#sealer.update(chunk, this.#sealed));
      callback();
    } catch (error) {
      this.#sealed.length = 0;
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.#pushSealed(this.#sealer.final(this.#sealed));
      callback();
    } catch (error) {
      this.#sealed.length = 0;
      callback(error as Error);
    }
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#sealer.release();
    callback(error);
  }

  #pushSealed(sealed: Buffer[]): void {
    for (let i = 0; i < sealed.length; i++) this.push(sealed[i]);
    sealed.length = 0;
  }

  #pushAll(sealed: readonly Buffer[]): void {
    for (const bytes of sealed) this.push(bytes);
  }
}

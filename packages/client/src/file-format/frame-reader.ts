import type { DecipherGCM } from 'node:crypto';
import type { ByteQueue } from './byte-queue.js';
import { TAG_LENGTH } from './constants.js';
import { invalidCiphertext } from './errors.js';
import { frameHeaderLength, isFinalFrameMarker, parseFrameHeader, type FrameCiphers, type FrameHeader } from './frames.js';

interface FrameInProgress {
  readonly header: FrameHeader;
  readonly decipher: DecipherGCM;
  remainingContent: number;
  /** Deciphered but unverified: released only after the frame's tag checks out, zeroed if it does not. */
  readonly plaintext: Buffer[];
}

/**
 * Reads the body of one message from a queue of input bytes. Ciphertext is deciphered as it
 * arrives, so at most one frame of plaintext is held; it is released once the frame's tag is verified.
 */
export class FrameReader {
  readonly #ciphers: FrameCiphers;
  readonly #frameSize: number;
  #expectedSequenceNumber = 1;
  #frame: FrameInProgress | undefined;
  #finished = false;

  constructor(ciphers: FrameCiphers, frameSize: number) {
    this.#ciphers = ciphers;
    this.#frameSize = frameSize;
  }

  /** True once the final frame verified: the message is complete. */
  get finished(): boolean {
    return this.#finished;
  }

  /** Consumes what it can of `input`, passing verified plaintext to `release` in order. */
  read(input: ByteQueue, release: (plaintext: Buffer) => void): void {
    while (!this.#finished) {
      const frame = (this.#frame ??= this.#startFrame(input));
      if (!frame || !this.#decipherAvailable(frame, input)) return;
      this.#frame = undefined;
      for (const piece of this.#verified(frame, input.take(TAG_LENGTH))) release(piece);
      this.#expectedSequenceNumber++;
      this.#finished = frame.header.isFinal;
    }
    if (input.length > 0) throw invalidCiphertext();
  }

  /** Zeroes the plaintext of a frame that will never be verified (the stream ended or failed). */
  discard(): void {
    this.#frame?.plaintext.forEach((piece) => piece.fill(0));
    this.#frame = undefined;
  }

  #startFrame(input: ByteQueue): FrameInProgress | undefined {
    if (input.length < 4) return undefined;
    const isFinal = isFinalFrameMarker(input.peek(4).readUInt32BE(0));
    const headerLength = frameHeaderLength(isFinal);
    if (input.length < headerLength) return undefined;
    const header = parseFrameHeader(input.take(headerLength), isFinal, this.#frameSize);
    this.#assertExpected(header);
    const decipher = this.#ciphers.decipher(header.sequenceNumber, isFinal, header.contentLength);
    return { header, decipher, remainingContent: header.contentLength, plaintext: [] };
  }

  /** Sequence number in order (no frame reordered, dropped or repeated), IV as derived, final frame shorter than a frame. */
  #assertExpected({ sequenceNumber, isFinal, iv, contentLength }: FrameHeader): void {
    if (
      sequenceNumber !== this.#expectedSequenceNumber ||
      !iv.equals(this.#ciphers.iv(sequenceNumber)) ||
      (isFinal && contentLength >= this.#frameSize)
    ) {
      throw invalidCiphertext();
    }
  }

  /** Deciphers the frame's content as far as it has arrived; true once all of it and the tag are queued. */
  #decipherAvailable(frame: FrameInProgress, input: ByteQueue): boolean {
    while (frame.remainingContent > 0 && input.length > 0) {
      const ciphertext = input.takeFromFirstChunk(frame.remainingContent);
      frame.plaintext.push(frame.decipher.update(ciphertext));
      frame.remainingContent -= ciphertext.length;
    }
    return frame.remainingContent === 0 && input.length >= TAG_LENGTH;
  }

  #verified(frame: FrameInProgress, tag: Buffer): Buffer[] {
    try {
      frame.decipher.setAuthTag(tag);
      frame.decipher.final();
      return frame.plaintext;
    } catch {
      frame.plaintext.forEach((piece) => piece.fill(0));
      throw invalidCiphertext();
    }
  }
}

import type { ByteQueue } from './byte-queue.js';
import { PIECE_SIZE, TAG_LENGTH } from './constants.js';
import { invalidCiphertext } from './errors.js';
import type { DecipherGCM } from 'node:crypto';
import { frameHeaderLength, isFinalFrameMarker, parseFrameHeader, type FrameCiphers, type FrameHeader } from './frames.js';

interface FrameInProgress {
  readonly isFinal: boolean;
  readonly decipher: DecipherGCM;
  /** The frame's plaintext so far: not verified, so never released before the tag is. */
  readonly plaintext: Buffer[];
  remainingContent: number;
}

/**
 * Reads the body of one message from a queue of input bytes. A frame's ciphertext is deciphered as
 * it comes (while it is still in the cache of the core that read it), but its plaintext leaves only
 * after `final` verified the tag, so none is released before the check that decides whether it may
 * be; at most one frame of plaintext is held, and no input chunk but the bytes of a frame header or
 * tag split across chunks.
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

  /** Consumes what it can of `input`, passing each verified frame's plaintext to `release`, in order, in one or more pieces. */
  read(input: ByteQueue, release: (plaintext: Buffer) => void): void {
    while (!this.#finished) {
      this.#frame ??= this.#startFrame(input);
      const frame = this.#frame;
      if (!frame || !this.#collectAvailable(frame, input)) return;
      this.#frame = undefined;
      const plaintext = this.#open(frame, input.take(TAG_LENGTH));
      for (let i = 0; i < plaintext.length; i++) if (plaintext[i]!.length > 0) release(plaintext[i]!);
      this.#expectedSequenceNumber++;
      this.#finished = frame.isFinal;
    }
    if (input.length > 0) throw invalidCiphertext();
  }

  #startFrame(input: ByteQueue): FrameInProgress | undefined {
    if (input.length < 4) return undefined;
    const isFinal = isFinalFrameMarker(input.peekUInt32BE());
    const headerLength = frameHeaderLength(isFinal);
    if (input.length < headerLength) return undefined;
    const header = parseFrameHeader(input.take(headerLength), isFinal, this.#frameSize);
    this.#assertExpected(header);
    const decipher = this.#ciphers.decipher(header.sequenceNumber, header.isFinal, header.contentLength);
    return { isFinal, decipher, plaintext: [], remainingContent: header.contentLength };
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

  /**
   * Deciphers the frame's ciphertext as far as it has arrived, in pieces of at most `PIECE_SIZE`;
   * true once all of it is deciphered and the tag is queued.
   */
  #collectAvailable(frame: FrameInProgress, input: ByteQueue): boolean {
    while (frame.remainingContent > 0 && input.length > 0) {
      const ciphertext = input.takeFromFirstChunk(Math.min(frame.remainingContent, PIECE_SIZE));
      frame.plaintext.push(frame.decipher.update(ciphertext));
      frame.remainingContent -= ciphertext.length;
    }
    return frame.remainingContent === 0 && input.length >= TAG_LENGTH;
  }

  /** Verifies the frame's tag, and only then returns its plaintext; zeroed, never returned, if the tag does not verify. */
  #open({ decipher, plaintext }: FrameInProgress, tag: Buffer): Buffer[] {
    try {
      decipher.setAuthTag(tag);
      decipher.final();
      return plaintext;
    } catch {
      wipe(plaintext);
      throw invalidCiphertext();
    }
  }

  /** Zeroes the plaintext of a frame not verified yet (the input stops or fails): it is never released. */
  discard(): void {
    if (this.#frame) wipe(this.#frame.plaintext);
    this.#frame = undefined;
  }
}

function wipe(pieces: readonly Buffer[]): void {
  for (const piece of pieces) piece.fill(0);
}

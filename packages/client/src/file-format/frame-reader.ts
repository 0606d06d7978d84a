import type { ByteQueue } from './byte-queue.js';
import { PIECE_SIZE, TAG_LENGTH } from './constants.js';
import { invalidCiphertext } from './errors.js';
import { frameHeaderLength, isFinalFrameMarker, parseFrameHeader, type FrameCiphers, type FrameHeader } from './frames.js';

interface FrameInProgress {
  readonly header: FrameHeader;
  /** Views of the input chunks holding the frame's ciphertext so far. */
  readonly ciphertext: Buffer[];
  remainingContent: number;
}

/**
 * Reads the body of one message from a queue of input bytes. A frame is deciphered only once all
 * of it and its tag have arrived, and its plaintext leaves only after `final` verified the tag, so
 * none is released before the check that decides whether it may be; at most one frame of ciphertext
 * is held.
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
      for (const plaintext of this.#open(frame, input.take(TAG_LENGTH))) if (plaintext.length > 0) release(plaintext);
      this.#expectedSequenceNumber++;
      this.#finished = frame.header.isFinal;
    }
    if (input.length > 0) throw invalidCiphertext();
  }

  #startFrame(input: ByteQueue): FrameInProgress | undefined {
    if (input.length < 4) return undefined;
    const isFinal = isFinalFrameMarker(input.peek(4).readUInt32BE(0));
    const headerLength = frameHeaderLength(isFinal);
    if (input.length < headerLength) return undefined;
    const header = parseFrameHeader(input.take(headerLength), isFinal, this.#frameSize);
    this.#assertExpected(header);
    return { header, ciphertext: [], remainingContent: header.contentLength };
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

  /** Takes the frame's ciphertext as far as it has arrived; true once all of it and the tag are queued. */
  #collectAvailable(frame: FrameInProgress, input: ByteQueue): boolean {
    while (frame.remainingContent > 0 && input.length > 0) {
      const ciphertext = input.takeFromFirstChunk(frame.remainingContent);
      frame.ciphertext.push(ciphertext);
      frame.remainingContent -= ciphertext.length;
    }
    return frame.remainingContent === 0 && input.length >= TAG_LENGTH;
  }

  /**
   * Deciphers the whole frame and verifies its tag, and only then returns its plaintext, in pieces of
   * at most `PIECE_SIZE` (deciphered piece by piece rather than joined first, which would copy the
   * frame); the pieces are zeroed, never returned, if the tag does not verify.
   */
  #open({ header, ciphertext }: FrameInProgress, tag: Buffer): Buffer[] {
    const decipher = this.#ciphers.decipher(header.sequenceNumber, header.isFinal, header.contentLength);
    const plaintext = ciphertext.flatMap(inPieces).map((piece) => decipher.update(piece));
    try {
      decipher.setAuthTag(tag);
      decipher.final();
      return plaintext;
    } catch {
      for (const piece of plaintext) piece.fill(0);
      throw invalidCiphertext();
    }
  }
}

function inPieces(bytes: Buffer): Buffer[] {
  const pieces: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += PIECE_SIZE) pieces.push(bytes.subarray(offset, offset + PIECE_SIZE));
  return pieces;
}

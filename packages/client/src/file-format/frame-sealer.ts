import { randomBytes } from 'node:crypto';
import { DATA_KEY_LENGTH, DEFAULT_FRAME_SIZE, MESSAGE_ID_LENGTH, PIECE_SIZE } from './constants.js';
import type { EncryptionContext } from './context.js';
import { invalidArgument } from './errors.js';
import type { CipherGCM } from 'node:crypto';
import { assertSequenceNumberAllowed, FrameCiphers, serializeFrameHeader } from './frames.js';
import { serializeHeaderBody } from './header.js';
import { deriveMessageKeys, headerAuthTag } from './message-keys.js';

export interface EncryptStreamOptions {
  /**
   * The 32-byte plaintext data key. Read only while the encryptor is created (the message key is
   * derived before it returns): zero it as soon as it returns.
   */
  readonly dataKey: Uint8Array;
  /** The service's encrypted form of the data key, an opaque printable-ASCII token such as `ev2.…`. */
  readonly encryptedKey: string;
  readonly keyId: string;
  readonly keyVersion: number;
  readonly context?: EncryptionContext;
  /** Plaintext bytes per frame, `MIN_FRAME_SIZE`..`MAX_FRAME_SIZE`; `DEFAULT_FRAME_SIZE` (1 MiB) if absent. */
  readonly frameSize?: number;
  /**
   * The plaintext's length, when known before it comes (a regular file's size): each frame is then
   * sealed as its bytes come, in pieces of any size, since whether it is the final frame, and its
   * length, are known when it starts; nothing is gathered into a frame first. The plaintext must
   * be exactly this long.
   */
  readonly plaintextLength?: number;
  /**
   * For test vectors only. Fixing the message id makes encryption deterministic; two files with the
   * same data key and message id share their message key and IVs, which breaks AES-GCM.
   */
  readonly unsafeFixedMessageId?: Uint8Array;
}

/**
 * Encrypts plaintext into the file format (docs/file-format.md) as it comes, in pieces of any size,
 * with no stream or I/O of its own: the encrypt stream and the file writer both drive it. Each call
 * returns the encrypted bytes it completed as a list of buffers to write in order (a frame is three:
 * its header, ciphertext and tag, so that no frame is copied to be joined).
 */
export class FrameSealer {
  /** The file header: its body, then its authentication tag. */
  readonly header: readonly Buffer[];
  #frames: FrameCiphers | undefined;
  /** The frame being filled when plaintext does not arrive in whole frames; reused for every frame. */
  readonly #pending: Buffer;
  #pendingLength = 0;
  #sequenceNumber = 0;
  readonly #frameSize: number;
  /** With a known length: plaintext bytes not yet taken, and the frame being sealed as its bytes come. */
  #unsealed: number | undefined;
  #open: OpenFrame | undefined;
  #finalSealed = false;

  constructor(options: EncryptStreamOptions) {
    const { dataKey, frameSize = DEFAULT_FRAME_SIZE, context = {}, plaintextLength } = options;
    if (plaintextLength !== undefined && !(Number.isSafeInteger(plaintextLength) && plaintextLength >= 0))
      throw invalidArgument('The plaintext length must be a non-negative integer.');
    if (!(dataKey instanceof Uint8Array) || dataKey.length !== DATA_KEY_LENGTH)
      throw invalidArgument(`The data key must be ${DATA_KEY_LENGTH} bytes.`);
    const messageId = messageIdFrom(options.unsafeFixedMessageId);
    const header = { messageId, context, encryptedKey: options.encryptedKey, keyId: options.keyId, keyVersion: options.keyVersion, frameSize };
    const keys = deriveMessageKeys(dataKey, messageId);
    const headerBody = serializeHeaderBody(header, keys.commitment);
    this.header = [headerBody, headerAuthTag(keys.encryptionKey, headerBody)];
    this.#frames = new FrameCiphers(keys.encryptionKey, messageId);
    this.#unsealed = plaintextLength;
    this.#pending = Buffer.alloc(plaintextLength === undefined ? frameSize : 0);
    this.#frameSize = frameSize;
  }

  /**
   * Seals every whole frame the plaintext completes and keeps the rest; whole frames of `plaintext`
   * itself are sealed in place. Nothing refers to `plaintext` once this returns: its buffer may be reused.
   * The sealed buffers are appended to `sealed` (a new list unless given), which is returned.
   */
  update(plaintext: Buffer, sealed: Buffer[] = []): Buffer[] {
    if (this.#unsealed !== undefined) return plaintext.length > 0 ? this.#sealAsItComes(plaintext, sealed) : sealed;
    const frameSize = this.#frameSize;
    let offset = 0;
    if (this.#pendingLength > 0) {
      offset = plaintext.copy(this.#pending, this.#pendingLength);
      this.#pendingLength += offset;
      if (this.#pendingLength < frameSize) return sealed;
      this.#seal(this.#pending, false, sealed);
      this.#pendingLength = 0;
    }
    // A write of exactly one frame (as a stream of frame-sized chunks gives) is sealed as it is, without a view of it.
    if (offset === 0 && plaintext.length === frameSize) {
      this.#seal(plaintext, false, sealed);
      return sealed;
    }
    for (; plaintext.length - offset >= frameSize; offset += frameSize) this.#seal(plaintext.subarray(offset, offset + frameSize), false, sealed);
    this.#pendingLength = plaintext.copy(this.#pending, 0, offset);
    return sealed;
  }

  /** Seals the final frame (with whatever plaintext is kept, possibly none) and forgets the key. */
  final(sealed: Buffer[] = []): Buffer[] {
    if (this.#unsealed !== undefined) {
      if (this.#unsealed > 0 || this.#open) throw lengthChanged();
      if (!this.#finalSealed) this.#sealAsItComes(Buffer.alloc(0), sealed);
    } else {
      this.#seal(this.#pending.subarray(0, this.#pendingLength), true, sealed);
    }
    this.release();
    return sealed;
  }

  /** Forgets the key and wipes plaintext kept for the next frame; the sealer cannot be used again. */
  release(): void {
    this.#frames = undefined;
    this.#pending.fill(0);
    this.#pendingLength = 0;
  }

  /**
   * A frame holding exactly `frameSize` bytes is regular, so a plaintext whose length is a multiple of
   * the frame size ends with an empty final frame: every plaintext has exactly one encoding, and no
   * frame waits for the next write to learn whether it is the last.
   */
  #seal(plaintext: Buffer, isFinal: boolean, sealed: Buffer[]): void {
    const cipher = this.#startFrame(isFinal, plaintext.length, sealed);
    sealed.push(cipher.update(plaintext));
    finishFrame(cipher, sealed);
  }

  /** Enciphers the next frame's header into `sealed`; the frame's cipher takes its content. */
  #startFrame(isFinal: boolean, contentLength: number, sealed: Buffer[]): CipherGCM {
    const frames = this.#frames;
    if (!frames) throw invalidArgument('The encryptor has ended.');
    const sequenceNumber = ++this.#sequenceNumber;
    assertSequenceNumberAllowed(sequenceNumber, isFinal);
    const cipher = frames.encipher(sequenceNumber, isFinal, contentLength);
    sealed.push(serializeFrameHeader(sequenceNumber, isFinal, frames.iv(sequenceNumber), contentLength));
    return cipher;
  }

  /**
   * With a known length, a frame starts as its first byte comes (the final frame, possibly empty,
   * once fewer than a frame's bytes are left) and each piece is enciphered as it is, in pieces of
   * at most `PIECE_SIZE`, so that a cipher's output is still in the cache when it is written.
   */
  #sealAsItComes(plaintext: Buffer, sealed: Buffer[] = []): Buffer[] {
    let offset = 0;
    do {
      this.#open ??= this.#startKnownFrame(sealed);
      const open = this.#open;
      const piece = plaintext.subarray(offset, offset + Math.min(open.remaining, PIECE_SIZE));
      if (piece.length > 0) sealed.push(open.cipher.update(piece));
      offset += piece.length;
      open.remaining -= piece.length;
      if (open.remaining === 0) {
        finishFrame(open.cipher, sealed);
        this.#open = undefined;
      }
    } while (offset < plaintext.length);
    return sealed;
  }

  #startKnownFrame(sealed: Buffer[]): OpenFrame {
    if (this.#finalSealed) throw lengthChanged();
    const isFinal = this.#unsealed! < this.#frameSize;
    const contentLength = isFinal ? this.#unsealed! : this.#frameSize;
    this.#unsealed! -= contentLength;
    this.#finalSealed = isFinal;
    return { cipher: this.#startFrame(isFinal, contentLength, sealed), remaining: contentLength };
  }
}

interface OpenFrame {
  readonly cipher: CipherGCM;
  remaining: number;
}

function finishFrame(cipher: CipherGCM, sealed: Buffer[]): void {
  cipher.final();
  sealed.push(cipher.getAuthTag());
}

const lengthChanged = () => invalidArgument('The plaintext is not as long as declared: the input changed while it was read.');

function messageIdFrom(fixed: Uint8Array | undefined): Buffer {
  if (fixed === undefined) return randomBytes(MESSAGE_ID_LENGTH);
  if (!(fixed instanceof Uint8Array) || fixed.length !== MESSAGE_ID_LENGTH)
    throw invalidArgument(`The message id must be ${MESSAGE_ID_LENGTH} bytes.`);
  return Buffer.from(fixed);
}

import { randomBytes } from 'node:crypto';
import { DATA_KEY_LENGTH, DEFAULT_FRAME_SIZE, MESSAGE_ID_LENGTH } from './constants.js';
import type { EncryptionContext } from './context.js';
import { invalidArgument } from './errors.js';
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

  constructor(options: EncryptStreamOptions) {
    const { dataKey, frameSize = DEFAULT_FRAME_SIZE, context = {} } = options;
    if (!(dataKey instanceof Uint8Array) || dataKey.length !== DATA_KEY_LENGTH)
      throw invalidArgument(`The data key must be ${DATA_KEY_LENGTH} bytes.`);
    const messageId = messageIdFrom(options.unsafeFixedMessageId);
    const header = { messageId, context, encryptedKey: options.encryptedKey, keyId: options.keyId, keyVersion: options.keyVersion, frameSize };
    const keys = deriveMessageKeys(dataKey, messageId);
    const headerBody = serializeHeaderBody(header, keys.commitment);
    this.header = [headerBody, headerAuthTag(keys.encryptionKey, headerBody)];
    this.#frames = new FrameCiphers(keys.encryptionKey, messageId);
    this.#pending = Buffer.alloc(frameSize);
  }

  /**
   * Seals every whole frame the plaintext completes and keeps the rest; whole frames of `plaintext`
   * itself are sealed in place. Nothing refers to `plaintext` once this returns: its buffer may be reused.
   */
  update(plaintext: Buffer): Buffer[] {
    const sealed: Buffer[] = [];
    const frameSize = this.#pending.length;
    let offset = 0;
    if (this.#pendingLength > 0) {
      offset = plaintext.copy(this.#pending, this.#pendingLength);
      this.#pendingLength += offset;
      if (this.#pendingLength < frameSize) return sealed;
      this.#seal(this.#pending, false, sealed);
      this.#pendingLength = 0;
    }
    for (; plaintext.length - offset >= frameSize; offset += frameSize) this.#seal(plaintext.subarray(offset, offset + frameSize), false, sealed);
    this.#pendingLength = plaintext.copy(this.#pending, 0, offset);
    return sealed;
  }

  /** Seals the final frame (with whatever plaintext is kept, possibly none) and forgets the key. */
  final(): Buffer[] {
    const sealed: Buffer[] = [];
    this.#seal(this.#pending.subarray(0, this.#pendingLength), true, sealed);
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
    const frames = this.#frames;
    if (!frames) throw invalidArgument('The encryptor has ended.');
    const sequenceNumber = ++this.#sequenceNumber;
    assertSequenceNumberAllowed(sequenceNumber, isFinal);
    const cipher = frames.encipher(sequenceNumber, isFinal, plaintext.length);
    sealed.push(serializeFrameHeader({ sequenceNumber, isFinal, iv: frames.iv(sequenceNumber), contentLength: plaintext.length }));
    sealed.push(cipher.update(plaintext));
    cipher.final();
    sealed.push(cipher.getAuthTag());
  }
}

function messageIdFrom(fixed: Uint8Array | undefined): Buffer {
  if (fixed === undefined) return randomBytes(MESSAGE_ID_LENGTH);
  if (!(fixed instanceof Uint8Array) || fixed.length !== MESSAGE_ID_LENGTH)
    throw invalidArgument(`The message id must be ${MESSAGE_ID_LENGTH} bytes.`);
  return Buffer.from(fixed);
}

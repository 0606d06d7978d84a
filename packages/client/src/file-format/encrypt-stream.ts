import { randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { DATA_KEY_LENGTH, DEFAULT_FRAME_SIZE, MESSAGE_ID_LENGTH } from './constants.js';
import type { EncryptionContext } from './context.js';
import { invalidArgument } from './errors.js';
import { assertSequenceNumberAllowed, FrameCiphers, serializeFrameHeader } from './frames.js';
import { serializeHeaderBody } from './header.js';
import { deriveMessageKeys, headerAuthTag } from './message-keys.js';

export interface EncryptStreamOptions {
  /**
   * The 32-byte plaintext data key. Read only while `createEncryptStream` runs (the message key is
   * derived before it returns): zero it as soon as it returns.
   */
  readonly dataKey: Uint8Array;
  /** The service's encrypted form of the data key, an opaque printable-ASCII token such as `ev2.…`. */
  readonly encryptedKey: string;
  readonly keyId: string;
  readonly keyVersion: number;
  readonly context?: EncryptionContext;
  /** Plaintext bytes per frame, `MIN_FRAME_SIZE`..`MAX_FRAME_SIZE`; `DEFAULT_FRAME_SIZE` (64 KiB) if absent. */
  readonly frameSize?: number;
  /**
   * For test vectors only. Fixing the message id makes encryption deterministic; two files with the
   * same data key and message id share their message key and IVs, which breaks AES-GCM.
   */
  readonly unsafeFixedMessageId?: Uint8Array;
}

/** A Transform from plaintext to the encrypted file format (docs/file-format.md). */
export function createEncryptStream(options: EncryptStreamOptions): Transform {
  return new EncryptStream(options);
}

class EncryptStream extends Transform {
  #frames: FrameCiphers | undefined;
  /** The frame being filled when writes do not arrive in whole frames; reused for every frame. */
  readonly #pending: Buffer;
  #pendingLength = 0;
  #sequenceNumber = 0;

  constructor(options: EncryptStreamOptions) {
    super();
    const { dataKey, frameSize = DEFAULT_FRAME_SIZE, context = {} } = options;
    if (!(dataKey instanceof Uint8Array) || dataKey.length !== DATA_KEY_LENGTH)
      throw invalidArgument(`The data key must be ${DATA_KEY_LENGTH} bytes.`);
    const messageId = messageIdFrom(options.unsafeFixedMessageId);
    const header = { messageId, context, encryptedKey: options.encryptedKey, keyId: options.keyId, keyVersion: options.keyVersion, frameSize };
    const keys = deriveMessageKeys(dataKey, messageId);
    const headerBody = serializeHeaderBody(header, keys.commitment);
    this.push(headerBody);
    this.push(headerAuthTag(keys.encryptionKey, headerBody));
    this.#frames = new FrameCiphers(keys.encryptionKey, messageId);
    this.#pending = Buffer.alloc(frameSize);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.#encryptWhole(chunk);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.#sealFrame(this.#pending.subarray(0, this.#pendingLength), true);
      this.#release();
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#release();
    callback(error);
  }

  /** Seals every whole frame the chunk completes and keeps the rest; whole frames of the chunk itself are sealed in place, without a copy. */
  #encryptWhole(chunk: Buffer): void {
    const frameSize = this.#pending.length;
    let offset = 0;
    if (this.#pendingLength > 0) {
      offset = chunk.copy(this.#pending, this.#pendingLength);
      this.#pendingLength += offset;
      if (this.#pendingLength < frameSize) return;
      this.#sealFrame(this.#pending, false);
      this.#pendingLength = 0;
    }
    for (; chunk.length - offset >= frameSize; offset += frameSize) this.#sealFrame(chunk.subarray(offset, offset + frameSize), false);
    this.#pendingLength = chunk.copy(this.#pending, 0, offset);
  }

  /**
   * A frame holding exactly `frameSize` bytes is regular, so a plaintext whose length is a multiple of
   * the frame size ends with an empty final frame: every plaintext has exactly one encoding, and no
   * frame waits for the next write to learn whether it is the last.
   */
  #sealFrame(plaintext: Buffer, isFinal: boolean): void {
    const frames = this.#frames!;
    const sequenceNumber = ++this.#sequenceNumber;
    assertSequenceNumberAllowed(sequenceNumber, isFinal);
    const cipher = frames.encipher(sequenceNumber, isFinal, plaintext.length);
    const frameHeader = serializeFrameHeader({ sequenceNumber, isFinal, iv: frames.iv(sequenceNumber), contentLength: plaintext.length });
    const ciphertext = cipher.update(plaintext);
    cipher.final();
    // One chunk per frame: a file destination then makes one write per frame, as for raw AES-GCM
    // output; three chunks cost two writes per frame, far more than this copy.
    this.push(Buffer.concat([frameHeader, ciphertext, cipher.getAuthTag()]));
  }

  #release(): void {
    this.#frames = undefined;
    this.#pending.fill(0);
    this.#pendingLength = 0;
  }
}

function messageIdFrom(fixed: Uint8Array | undefined): Buffer {
  if (fixed === undefined) return randomBytes(MESSAGE_ID_LENGTH);
  if (!(fixed instanceof Uint8Array) || fixed.length !== MESSAGE_ID_LENGTH)
    throw invalidArgument(`The message id must be ${MESSAGE_ID_LENGTH} bytes.`);
  return Buffer.from(fixed);
}

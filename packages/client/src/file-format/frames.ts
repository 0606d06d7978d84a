import { createCipheriv, createDecipheriv, type CipherGCM, type DecipherGCM, type KeyObject } from 'node:crypto';
import {
  FINAL_FRAME_HEADER_LENGTH,
  FINAL_FRAME_MARKER,
  IV_LENGTH,
  MAX_SEQUENCE_NUMBER,
  REGULAR_FRAME_HEADER_LENGTH,
  TAG_LENGTH,
} from './constants.js';
import { limitExceeded } from './errors.js';

/** The ESDK's Body AAD Content strings, renamed for this format. */
const REGULAR_FRAME_CONTENT = Buffer.from('EnvelopeFile Frame', 'ascii');
const FINAL_FRAME_CONTENT = Buffer.from('EnvelopeFile Final Frame', 'ascii');
/** One options object for every frame's cipher, rather than one allocated per frame. */
const CIPHER_OPTIONS = { authTagLength: TAG_LENGTH } as const;

export interface FrameHeader {
  readonly sequenceNumber: number;
  readonly isFinal: boolean;
  readonly iv: Buffer;
  readonly contentLength: number;
}

/**
 * Ciphers for the frames of one message. The IV and body AAD buffers are rewritten for each frame
 * rather than allocated: createCipheriv copies the IV and setAAD consumes the AAD before returning.
 */
export class FrameCiphers {
  readonly #key: KeyObject;
  readonly #iv = Buffer.alloc(IV_LENGTH);
  readonly #regularAad: Buffer;
  readonly #finalAad: Buffer;

  constructor(key: KeyObject, messageId: Buffer) {
    this.#key = key;
    this.#regularAad = bodyAadTemplate(messageId, REGULAR_FRAME_CONTENT);
    this.#finalAad = bodyAadTemplate(messageId, FINAL_FRAME_CONTENT);
  }

  /** The ESDK's IV: 8 zero bytes, then the sequence number; unique per frame, as sequence numbers are. */
  iv(sequenceNumber: number): Buffer {
    this.#iv.writeUInt32BE(sequenceNumber, IV_LENGTH - 4);
    return this.#iv;
  }

  encipher(sequenceNumber: number, isFinal: boolean, contentLength: number): CipherGCM {
    const cipher = createCipheriv('aes-256-gcm', this.#key, this.iv(sequenceNumber), CIPHER_OPTIONS);
    cipher.setAAD(this.#bodyAad(sequenceNumber, isFinal, contentLength));
    return cipher;
  }

  decipher(sequenceNumber: number, isFinal: boolean, contentLength: number): DecipherGCM {
    const decipher = createDecipheriv('aes-256-gcm', this.#key, this.iv(sequenceNumber), CIPHER_OPTIONS);
    decipher.setAAD(this.#bodyAad(sequenceNumber, isFinal, contentLength));
    return decipher;
  }

  /** message id | content string | u32 sequence number | u64 content length (its high half stays zero: frames are < 2^32 bytes). */
  #bodyAad(sequenceNumber: number, isFinal: boolean, contentLength: number): Buffer {
    const aad = isFinal ? this.#finalAad : this.#regularAad;
    aad.writeUInt32BE(sequenceNumber, aad.length - 12);
    aad.writeUInt32BE(contentLength, aad.length - 4);
    return aad;
  }
}

function bodyAadTemplate(messageId: Buffer, content: Buffer): Buffer {
  return Buffer.concat([messageId, content, Buffer.alloc(4 + 8)]);
}

/** Regular: u32 sequence number | IV. Final: u32 0xFFFFFFFF | u32 sequence number | IV | u32 content length. */
export function serializeFrameHeader(sequenceNumber: number, isFinal: boolean, iv: Buffer, contentLength: number): Buffer {
  if (!isFinal) {
    const header = Buffer.allocUnsafe(REGULAR_FRAME_HEADER_LENGTH);
    header.writeUInt32BE(sequenceNumber, 0);
    iv.copy(header, 4);
    return header;
  }
  const header = Buffer.allocUnsafe(FINAL_FRAME_HEADER_LENGTH);
  header.writeUInt32BE(FINAL_FRAME_MARKER, 0);
  header.writeUInt32BE(sequenceNumber, 4);
  iv.copy(header, 8);
  header.writeUInt32BE(contentLength, 8 + IV_LENGTH);
  return header;
}

export const isFinalFrameMarker = (firstWord: number) => firstWord === FINAL_FRAME_MARKER;

export const frameHeaderLength = (isFinal: boolean) => (isFinal ? FINAL_FRAME_HEADER_LENGTH : REGULAR_FRAME_HEADER_LENGTH);

/** Parses a frame header of `frameHeaderLength(isFinal)` bytes; a regular frame's content length is the frame size. */
export function parseFrameHeader(bytes: Buffer, isFinal: boolean, frameSize: number): FrameHeader {
  if (!isFinal) return { sequenceNumber: bytes.readUInt32BE(0), isFinal, iv: bytes.subarray(4), contentLength: frameSize };
  return {
    sequenceNumber: bytes.readUInt32BE(4),
    isFinal,
    iv: bytes.subarray(8, 8 + IV_LENGTH),
    contentLength: bytes.readUInt32BE(8 + IV_LENGTH),
  };
}

/** The frame count cap (ESDK: 2^32 - 1). A regular frame cannot take the last number: it reads as the final marker. */
export function assertSequenceNumberAllowed(sequenceNumber: number, isFinal: boolean): void {
  if (sequenceNumber > (isFinal ? MAX_SEQUENCE_NUMBER : MAX_SEQUENCE_NUMBER - 1)) throw limitExceeded();
}

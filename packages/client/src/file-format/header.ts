import { decodeUtf8, NeedMoreBytes, ByteReader, u16, u32, u8 } from './bytes.js';
import {
  COMMITMENT_LENGTH,
  FORMAT_VERSION,
  MAGIC,
  MAX_CONTEXT_LENGTH,
  MAX_ENCRYPTED_KEY_LENGTH,
  MAX_FRAME_SIZE,
  MAX_KEY_ID_LENGTH,
  MAX_KEY_VERSION,
  MESSAGE_ID_LENGTH,
  MIN_FRAME_SIZE,
  TAG_LENGTH,
} from './constants.js';
import { decodeContext, encodeContext, type EncryptionContext } from './context.js';
import { invalidArgument, invalidCiphertext } from './errors.js';

/** What a header says. Unauthenticated until the header auth tag is checked with the data key. */
export interface FileHeader {
  readonly messageId: Buffer;
  readonly context: EncryptionContext;
  readonly encryptedKey: string;
  readonly keyId: string;
  readonly keyVersion: number;
  readonly frameSize: number;
}

export interface ParsedHeader {
  readonly header: FileHeader;
  readonly encodedContext: Buffer;
  readonly commitment: Buffer;
  /** Magic through commitment: the additional data of the header auth tag. */
  readonly authenticatedBytes: Buffer;
  readonly authTag: Buffer;
  /** Bytes the whole header takes, tag included. */
  readonly length: number;
}

export type HeaderParse = { readonly complete: true; readonly parsed: ParsedHeader } | { readonly complete: false; readonly needed: number };

/** Magic through commitment; the caller appends the header auth tag computed over these bytes. */
export function serializeHeaderBody(header: FileHeader, commitment: Buffer): Buffer {
  assertWritable(header);
  const context = encodeContext(header.context);
  const encryptedKey = Buffer.from(header.encryptedKey, 'latin1');
  const keyId = Buffer.from(header.keyId, 'utf8');
  return Buffer.concat([
    MAGIC,
    u8(FORMAT_VERSION),
    header.messageId,
    u16(context.length),
    context,
    u16(encryptedKey.length),
    encryptedKey,
    u16(keyId.length),
    keyId,
    u32(header.keyVersion),
    u32(header.frameSize),
    commitment,
  ]);
}

/**
 * Parses a header from the start of `bytes`, or says how many bytes it needs. Every length is
 * checked against its limit as soon as it is read, so a hostile header cannot make a reader wait
 * for (and buffer) more than `MAX_HEADER_LENGTH` bytes.
 */
export function parseHeader(bytes: Buffer): HeaderParse {
  try {
    return { complete: true, parsed: readHeaderFields(new ByteReader(bytes)) };
  } catch (error) {
    if (error instanceof NeedMoreBytes) return { complete: false, needed: error.needed };
    throw error;
  }
}

function readHeaderFields(reader: ByteReader): ParsedHeader {
  if (!reader.view(MAGIC.length).equals(MAGIC) || reader.u8() !== FORMAT_VERSION) throw invalidCiphertext();
  const messageId = reader.copy(MESSAGE_ID_LENGTH);
  const encodedContext = reader.copy(within(reader.u16(), 2, MAX_CONTEXT_LENGTH));
  const context = decodeContext(encodedContext);
  const encryptedKey = reader.view(within(reader.u16(), 1, MAX_ENCRYPTED_KEY_LENGTH)).toString('latin1');
  if (!isPrintableAscii(encryptedKey)) throw invalidCiphertext();
  const keyId = decodeUtf8(reader.view(within(reader.u16(), 1, MAX_KEY_ID_LENGTH)));
  const keyVersion = within(reader.u32(), 1, MAX_KEY_VERSION);
  const frameSize = within(reader.u32(), MIN_FRAME_SIZE, MAX_FRAME_SIZE);
  const commitment = reader.copy(COMMITMENT_LENGTH);
  const authenticatedLength = reader.offset;
  const authTag = reader.copy(TAG_LENGTH);
  return {
    header: { messageId, context, encryptedKey, keyId, keyVersion, frameSize },
    encodedContext,
    commitment,
    authenticatedBytes: reader.copyFrom(0, authenticatedLength),
    authTag,
    length: reader.offset,
  };
}

function within(value: number, min: number, max: number): number {
  if (value < min || value > max) throw invalidCiphertext();
  return value;
}

const isPrintableAscii = (text: string) => /^[\x21-\x7e]*$/.test(text);

function assertWritable(header: FileHeader): void {
  if (header.messageId.length !== MESSAGE_ID_LENGTH) throw invalidArgument(`The message id must be ${MESSAGE_ID_LENGTH} bytes.`);
  const { encryptedKey, keyId, keyVersion, frameSize } = header;
  if (
    typeof encryptedKey !== 'string' ||
    encryptedKey.length < 1 ||
    encryptedKey.length > MAX_ENCRYPTED_KEY_LENGTH ||
    !isPrintableAscii(encryptedKey)
  ) {
    throw invalidArgument(`The encrypted key must be 1 to ${MAX_ENCRYPTED_KEY_LENGTH} printable ASCII characters.`);
  }
  const keyIdLength = typeof keyId === 'string' ? Buffer.byteLength(keyId, 'utf8') : 0;
  if (keyIdLength < 1 || keyIdLength > MAX_KEY_ID_LENGTH || Buffer.from(keyId, 'utf8').toString('utf8') !== keyId) {
    throw invalidArgument(`The key id must be well-formed Unicode of 1 to ${MAX_KEY_ID_LENGTH} UTF-8 bytes.`);
  }
  if (!isIntegerWithin(keyVersion, 1, MAX_KEY_VERSION)) throw invalidArgument(`The key version must be an integer from 1 to ${MAX_KEY_VERSION}.`);
  if (!isIntegerWithin(frameSize, MIN_FRAME_SIZE, MAX_FRAME_SIZE)) {
    throw invalidArgument(`The frame size must be an integer from ${MIN_FRAME_SIZE} to ${MAX_FRAME_SIZE}.`);
  }
}

const isIntegerWithin = (value: unknown, min: number, max: number) => Number.isInteger(value) && (value as number) >= min && (value as number) <= max;

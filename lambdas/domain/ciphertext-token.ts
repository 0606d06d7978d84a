import { invalidCiphertext } from './errors.js';

/**
 * The ciphertext token callers hold: `ev1.` followed by base64url of
 *
 *   keyId (16 bytes, the data key's UUID) | keyVersion (uint32 BE) | iv (12) | ciphertext | tag (16)
 *
 * The prefix, key id and version form the header, which is authenticated as part of the AES-GCM
 * additional data, so every byte of the token is covered by the tag.
 */
export const TOKEN_PREFIX = 'ev1.';

const KEY_ID_BYTES = 16;
const VERSION_BYTES = 4;
export const IV_BYTES = 12;
export const TAG_BYTES = 16;
const HEADER_BYTES = KEY_ID_BYTES + VERSION_BYTES;
const MIN_BYTES = HEADER_BYTES + IV_BYTES + TAG_BYTES;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const BASE64URL_PATTERN = /^[A-Za-z0-9_-]*$/;

export interface DataKeyRef {
  readonly keyId: string;
  readonly keyVersion: number;
}

export interface ParsedToken extends DataKeyRef {
  /** Prefix and header bytes, bound into the additional authenticated data. */
  readonly header: Buffer;
  readonly iv: Buffer;
  readonly ciphertext: Buffer;
  readonly tag: Buffer;
}

export function isDataKeyId(value: string): boolean {
  return UUID_PATTERN.test(value);
}

export function encodeHeader({ keyId, keyVersion }: DataKeyRef): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  Buffer.from(keyId.replaceAll('-', ''), 'hex').copy(header, 0);
  header.writeUInt32BE(keyVersion, KEY_ID_BYTES);
  return Buffer.concat([Buffer.from(TOKEN_PREFIX, 'ascii'), header]);
}

/**
 * A sealed message in parts, as the cipher produced them: copying a large ciphertext into one
 * buffer costs as much as encrypting it, so the parts are joined only when a form is asked for.
 */
export class SealedToken {
  constructor(readonly header: Buffer, readonly iv: Buffer, readonly ciphertext: Buffer, readonly tag: Buffer) {}

  /** The binary form: the body of the text form. */
  toBytes(): Buffer {
    return Buffer.concat([this.header.subarray(TOKEN_PREFIX.length), this.iv, this.ciphertext, this.tag]);
  }

  /** The text form callers hold: `ev1.` and base64url. */
  toString(): string {
    return TOKEN_PREFIX + this.toBytes().toString('base64url');
  }
}

/** Parses a token in its text form. Says nothing about authenticity: that is the tag's job. */
export function parseToken(token: string | Uint8Array): ParsedToken {
  if (typeof token !== 'string') return parseTokenBytes(Buffer.from(token.buffer, token.byteOffset, token.byteLength));
  if (!token.startsWith(TOKEN_PREFIX)) throw invalidCiphertext();
  const encoded = token.slice(TOKEN_PREFIX.length);
  if (!BASE64URL_PATTERN.test(encoded) || !isCanonicalLength(encoded)) throw invalidCiphertext();
  return parseTokenBytes(Buffer.from(encoded, 'base64url'));
}

/**
 * Base64url without padding spells each byte string one way only if the unused low bits of the
 * last character are zero; refusing the other spellings keeps one token per ciphertext.
 */
function isCanonicalLength(encoded: string): boolean {
  const rest = encoded.length % 4;
  if (rest === 1) return false;
  if (rest === 0) return true;
  const last = BASE64URL_ALPHABET.indexOf(encoded.at(-1)!);
  return (last & (rest === 2 ? 0b1111 : 0b11)) === 0;
}

const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Parses a token in its binary form. */
export function parseTokenBytes(body: Buffer): ParsedToken {
  if (body.length < MIN_BYTES) throw invalidCiphertext();
  const keyVersion = body.readUInt32BE(KEY_ID_BYTES);
  if (keyVersion === 0) throw invalidCiphertext();
  return {
    keyId: formatUuid(body.subarray(0, KEY_ID_BYTES)),
    keyVersion,
    header: Buffer.concat([Buffer.from(TOKEN_PREFIX, 'ascii'), body.subarray(0, HEADER_BYTES)]),
    iv: body.subarray(HEADER_BYTES, HEADER_BYTES + IV_BYTES),
    ciphertext: body.subarray(HEADER_BYTES + IV_BYTES, body.length - TAG_BYTES),
    tag: body.subarray(body.length - TAG_BYTES),
  };
}

function formatUuid(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

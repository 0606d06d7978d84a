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

export function formatToken(header: Buffer, iv: Buffer, ciphertext: Buffer, tag: Buffer): string {
  const body = Buffer.concat([header.subarray(TOKEN_PREFIX.length), iv, ciphertext, tag]);
  return TOKEN_PREFIX + body.toString('base64url');
}

/** Parses a token's framing. Says nothing about authenticity: that is the tag's job. */
export function parseToken(token: string): ParsedToken {
  if (!token.startsWith(TOKEN_PREFIX)) throw invalidCiphertext();
  const encoded = token.slice(TOKEN_PREFIX.length);
  if (!BASE64URL_PATTERN.test(encoded) || encoded.length % 4 === 1) throw invalidCiphertext();
  const body = Buffer.from(encoded, 'base64url');
  // Reject non-canonical encodings (stray trailing bits) so one token has exactly one spelling.
  if (body.length < MIN_BYTES || body.toString('base64url') !== encoded) throw invalidCiphertext();

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

import { KEY_ID_PATTERN } from '../../contract/index.js';
import { invalidCiphertext } from './errors.js';

/**
 * The ciphertext token callers hold: a version prefix, then base64url of the body.
 *
 *   ev2.  keyId (16 bytes, the data key's UUID) | keyVersion (uint32 BE) | salt (32) | iv (12) | ciphertext | tag (16)
 *   ev1.  keyId (16) | keyVersion (uint32 BE) | iv (12) | ciphertext | tag (16)        (read only)
 *
 * The prefix and the header (key id, version and, in ev2, the salt its encryption key was derived
 * with) are authenticated as part of the AES-GCM additional data, so every byte of the token is
 * covered by the tag. The binary form is the prefix's ASCII bytes followed by the raw body.
 */
export type TokenFormat = 'ev1' | 'ev2';

/** What sealing writes; ev1 tokens are still read. */
export const TOKEN_FORMAT: TokenFormat = 'ev2';
export const TOKEN_PREFIX = `${TOKEN_FORMAT}.`;

const KEY_ID_BYTES = 16;
const VERSION_BYTES = 4;
export const SALT_BYTES = 32;
export const IV_BYTES = 12;
export const TAG_BYTES = 16;
const PREFIX_BYTES = 4;
const HEADER_BYTES: Record<TokenFormat, number> = { ev1: KEY_ID_BYTES + VERSION_BYTES, ev2: KEY_ID_BYTES + VERSION_BYTES + SALT_BYTES };
const BASE64URL_PATTERN = /^[A-Za-z0-9_-]*$/;

export interface DataKeyRef {
  readonly keyId: string;
  readonly keyVersion: number;
}

export interface ParsedToken extends DataKeyRef {
  readonly format: TokenFormat;
  /** Prefix and header bytes, bound into the additional authenticated data. */
  readonly header: Buffer;
  /** ev2: the salt the message's encryption key was derived with. */
  readonly salt?: Buffer;
  readonly iv: Buffer;
  readonly ciphertext: Buffer;
  readonly tag: Buffer;
}

export function isDataKeyId(value: string): boolean {
  return KEY_ID_PATTERN.test(value);
}

/** The key id and version as the header stores them: 16 bytes of UUID, then the version. */
export function encodeKeyRef({ keyId, keyVersion }: DataKeyRef): Buffer {
  const bytes = Buffer.alloc(KEY_ID_BYTES + VERSION_BYTES);
  Buffer.from(keyId.replaceAll('-', ''), 'hex').copy(bytes, 0);
  bytes.writeUInt32BE(keyVersion, KEY_ID_BYTES);
  return bytes;
}

/** The prefix and header of an ev2 token, as sealed and authenticated. */
export function encodeHeader(ref: DataKeyRef, salt: Buffer): Buffer {
  return Buffer.concat([Buffer.from(TOKEN_PREFIX, 'ascii'), encodeKeyRef(ref), salt]);
}

/**
 * A sealed message in parts, as the cipher produced them: copying a large ciphertext into one
 * buffer costs as much as encrypting it, so the parts are joined only when a form is asked for.
 */
export class SealedToken {
  constructor(
    readonly header: Buffer,
    readonly iv: Buffer,
    readonly ciphertext: Buffer,
    readonly tag: Buffer,
  ) {}

  /** The binary form: the prefix's bytes, then the body. */
  toBytes(): Buffer {
    return Buffer.concat([this.header, this.iv, this.ciphertext, this.tag]);
  }

  /** The text form callers hold: the prefix and base64url of the body. */
  toString(): string {
    const prefix = this.header.subarray(0, PREFIX_BYTES).toString('ascii');
    return prefix + Buffer.concat([this.header.subarray(PREFIX_BYTES), this.iv, this.ciphertext, this.tag]).toString('base64url');
  }
}

/** Parses a token in its text or binary form. Says nothing about authenticity: that is the tag's job. */
export function parseToken(token: string | Uint8Array): ParsedToken {
  if (typeof token !== 'string') return parseTokenBytes(Buffer.from(token.buffer, token.byteOffset, token.byteLength));
  const format = formatOf(token.slice(0, PREFIX_BYTES));
  const encoded = token.slice(PREFIX_BYTES);
  if (!BASE64URL_PATTERN.test(encoded) || !isCanonicalLength(encoded)) throw invalidCiphertext();
  return parseBody(format, Buffer.from(encoded, 'base64url'));
}

/**
 * The key version a token's text form names, read from its first characters without decoding the
 * rest: what the audit trail records of a ciphertext, tag checked or not (a forged token names
 * whatever it likes). Undefined when the token does not even look like one.
 */
export function namedKeyRef(token: string): DataKeyRef | undefined {
  const head = token.slice(PREFIX_BYTES, PREFIX_BYTES + 28);
  if (!['ev1.', 'ev2.'].includes(token.slice(0, PREFIX_BYTES)) || head.length < 28 || !BASE64URL_PATTERN.test(head)) return undefined;
  const bytes = Buffer.from(head, 'base64url');
  const keyVersion = bytes.readUInt32BE(KEY_ID_BYTES);
  return keyVersion === 0 ? undefined : { keyId: formatUuid(bytes.subarray(0, KEY_ID_BYTES)), keyVersion };
}

/** Parses a token in its binary form. */
export function parseTokenBytes(bytes: Buffer): ParsedToken {
  return parseBody(formatOf(bytes.subarray(0, PREFIX_BYTES).toString('latin1')), bytes.subarray(PREFIX_BYTES));
}

function formatOf(prefix: string): TokenFormat {
  if (prefix === 'ev2.') return 'ev2';
  if (prefix === 'ev1.') return 'ev1';
  throw invalidCiphertext();
}

function parseBody(format: TokenFormat, body: Buffer): ParsedToken {
  const headerBytes = HEADER_BYTES[format];
  if (body.length < headerBytes + IV_BYTES + TAG_BYTES) throw invalidCiphertext();
  const keyVersion = body.readUInt32BE(KEY_ID_BYTES);
  if (keyVersion === 0) throw invalidCiphertext();
  return {
    format,
    keyId: formatUuid(body.subarray(0, KEY_ID_BYTES)),
    keyVersion,
    header: Buffer.concat([Buffer.from(`${format}.`, 'ascii'), body.subarray(0, headerBytes)]),
    ...(format === 'ev2' && { salt: body.subarray(KEY_ID_BYTES + VERSION_BYTES, headerBytes) }),
    iv: body.subarray(headerBytes, headerBytes + IV_BYTES),
    ciphertext: body.subarray(headerBytes + IV_BYTES, body.length - TAG_BYTES),
    tag: body.subarray(body.length - TAG_BYTES),
  };
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

function formatUuid(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

import { createCipheriv, createDecipheriv, createSecretKey, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import { encodeContext, type EncryptionContext } from './encryption-context.js';
import { encodeHeader, encodeKeyRef, IV_BYTES, SALT_BYTES, SealedToken, TAG_BYTES, type DataKeyRef, type ParsedToken } from './ciphertext-token.js';
import { invalidCiphertext } from './errors.js';

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
/** HKDF's `info`: this construction's name, then the data key's id and version. */
const INFO_LABEL = Buffer.from('envelope-api/ev2/aes-256-gcm', 'ascii');

/** A data key or a key derived from it: best a KeyObject made once, since raw bytes are imported anew by each cipher. */
export type DataKeyMaterial = KeyObject | Uint8Array;

/** An encryption key derived from a data key version for a run of messages, with the salt that derived it. */
export interface MessageKey {
  readonly ref: DataKeyRef;
  readonly salt: Buffer;
  readonly key: KeyObject;
  /** The token prefix and header (key id, version, salt), encoded once and shared by every token sealed under this key: never written to. */
  readonly header: Buffer;
  /** The additional data of a message sealed without context, encoded once too (most messages have none). */
  readonly noContextAad: Buffer;
}

/**
 * Derives the AES-256 key for a salt: HKDF-SHA256 (RFC 5869, NIST SP 800-56C) with the data key
 * as input keying material, the salt, and `info` binding the key id and version. The derived
 * bytes are imported into a KeyObject and zeroed at once.
 */
export function deriveMessageKey(dataKey: DataKeyMaterial, ref: DataKeyRef, salt: Buffer): KeyObject {
  const derived = Buffer.from(hkdfSync('sha256', dataKey, salt, Buffer.concat([INFO_LABEL, encodeKeyRef(ref)]), KEY_BYTES));
  try {
    return createSecretKey(derived);
  } finally {
    derived.fill(0);
  }
}

/** A fresh message key under a random 256-bit salt; `salt` is a seam for test vectors only. */
export function newMessageKey(dataKey: DataKeyMaterial, ref: DataKeyRef, salt = randomBytes(SALT_BYTES)): MessageKey {
  const header = encodeHeader(ref, salt);
  return {
    ref: { keyId: ref.keyId, keyVersion: ref.keyVersion },
    salt,
    key: deriveMessageKey(dataKey, ref, salt),
    header,
    noContextAad: additionalData(header),
  };
}

/** The AES key that opens a token: the data key itself for ev1, the key its salt derives for ev2. */
export function keyForToken(dataKey: DataKeyMaterial, token: ParsedToken): DataKeyMaterial {
  return token.salt === undefined ? dataKey : deriveMessageKey(dataKey, token, token.salt);
}

/**
 * Random IVs drawn from the CSPRNG in blocks: one draw per message costs more than encrypting a
 * small one. Each IV is used once; a block is never refilled in place.
 */
const IVS_PER_DRAW = 4096;
let ivBlock = Buffer.alloc(0);
let ivOffset = 0;

function nextIv(): Buffer {
  if (ivOffset + IV_BYTES > ivBlock.length) {
    ivBlock = randomBytes(IV_BYTES * IVS_PER_DRAW);
    ivOffset = 0;
  }
  const iv = ivBlock.subarray(ivOffset, ivOffset + IV_BYTES);
  ivOffset += IV_BYTES;
  return iv;
}

/**
 * Encrypts with AES-256-GCM under a message key (for the data key version it was derived for) and
 * a fresh random 96-bit IV (`iv` is a seam for test vectors only).
 */
export function sealWithMessageKey(messageKey: MessageKey, plaintext: Uint8Array, context?: EncryptionContext, iv: Buffer = nextIv()): SealedToken {
  const { header } = messageKey;
  const cipher = createCipheriv(ALGORITHM, messageKey.key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(context === undefined || Object.keys(context).length === 0 ? messageKey.noContextAad : additionalData(header, context));
  const ciphertext = cipher.update(plaintext);
  cipher.final(); // GCM is a stream mode: final() only computes the tag.
  return new SealedToken(header, iv, ciphertext, cipher.getAuthTag());
}

/** Decrypts a parsed token with its AES key; any mismatch of key, header, context or bytes is `InvalidCiphertext`. */
export function openWithKey(key: DataKeyMaterial, token: ParsedToken, context?: EncryptionContext): Buffer {
  const decipher = createDecipheriv(ALGORITHM, key, token.iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(additionalData(token.header, context));
  decipher.setAuthTag(token.tag);
  let plaintext: Buffer | undefined;
  try {
    plaintext = decipher.update(token.ciphertext);
    decipher.final(); // Verifies the tag; GCM yields no further bytes.
    return plaintext;
  } catch {
    // Bytes of a message that failed authentication are wiped, never handed out.
    plaintext?.fill(0);
    throw invalidCiphertext();
  }
}

/** Decrypts a token of either format with the data key it names. */
export function openWithDataKey(dataKey: DataKeyMaterial, token: ParsedToken, context?: EncryptionContext): Buffer {
  return openWithKey(keyForToken(dataKey, token), token, context);
}

function additionalData(header: Buffer, context?: EncryptionContext): Buffer {
  return Buffer.concat([header, encodeContext(context)]);
}

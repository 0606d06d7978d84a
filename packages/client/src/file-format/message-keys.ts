import { createCipheriv, createDecipheriv, createSecretKey, hkdfSync, timingSafeEqual, type KeyObject } from 'node:crypto';
import { COMMITMENT_LENGTH, DATA_KEY_LENGTH, IV_LENGTH, TAG_LENGTH } from './constants.js';
import { invalidCiphertext } from './errors.js';
import type { ParsedHeader } from './header.js';

/** HKDF info strings: they name the format, its version and the suite, so no other use of a data key derives these keys. */
const ENCRYPTION_KEY_INFO = Buffer.from('envelope-file/1 AES-256-GCM HKDF-SHA256 DERIVEKEY', 'ascii');
const COMMITMENT_INFO = Buffer.from('envelope-file/1 AES-256-GCM HKDF-SHA256 COMMITKEY', 'ascii');

/** The header auth tag takes sequence number 0 of the frame IV space: twelve zero bytes. */
const HEADER_AUTH_IV = Buffer.alloc(IV_LENGTH);

export interface MessageKeys {
  /**
   * The per-message AES-256-GCM key. A KeyObject because node:crypto sets up a cipher from one
   * several times faster than from raw bytes, which matters at one cipher per frame; its native
   * copy of the key cannot be zeroed from JavaScript, so holders drop it as soon as they end.
   */
  readonly encryptionKey: KeyObject;
  /** Binds the data key to this message: only the data key that encrypted the file derives it. */
  readonly commitment: Buffer;
}

/**
 * HKDF-SHA256 (RFC 5869) of the data key with the message id as salt, as the ESDK's committing
 * suites derive their data key and commitment key. The derived key bytes are zeroed before returning.
 */
export function deriveMessageKeys(dataKey: Uint8Array, messageId: Buffer): MessageKeys {
  if (dataKey.length !== DATA_KEY_LENGTH) throw new RangeError('A data key is 32 bytes.');
  const keyBytes = Buffer.from(hkdfSync('sha256', dataKey, messageId, ENCRYPTION_KEY_INFO, DATA_KEY_LENGTH));
  try {
    return {
      encryptionKey: createSecretKey(keyBytes),
      commitment: Buffer.from(hkdfSync('sha256', dataKey, messageId, COMMITMENT_INFO, COMMITMENT_LENGTH)),
    };
  } finally {
    keyBytes.fill(0);
  }
}

/** Constant-time, as the ESDK compares commitments. */
export const commitmentMatches = (expected: Buffer, actual: Buffer) => expected.length === actual.length && timingSafeEqual(expected, actual);

/** AES-GCM over empty plaintext with the serialized header as additional data (the ESDK's header authentication). */
export function headerAuthTag(key: KeyObject, authenticatedBytes: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, HEADER_AUTH_IV, { authTagLength: TAG_LENGTH });
  cipher.setAAD(authenticatedBytes);
  cipher.final();
  return cipher.getAuthTag();
}

export function headerAuthTagMatches(key: KeyObject, authenticatedBytes: Buffer, tag: Buffer): boolean {
  const decipher = createDecipheriv('aes-256-gcm', key, HEADER_AUTH_IV, { authTagLength: TAG_LENGTH });
  decipher.setAAD(authenticatedBytes);
  decipher.setAuthTag(tag);
  try {
    decipher.final();
    return true;
  } catch {
    return false;
  }
}

/**
 * The message keys of a header the data key opens: the key commitment and the header auth tag both
 * verified, or `InvalidCiphertext` (another data key, or a header changed since it was written).
 */
export function verifiedMessageKeys(dataKey: Uint8Array, { header, commitment, authenticatedBytes, authTag }: ParsedHeader): MessageKeys {
  const keys = deriveMessageKeys(dataKey, header.messageId);
  if (!commitmentMatches(keys.commitment, commitment) || !headerAuthTagMatches(keys.encryptionKey, authenticatedBytes, authTag)) {
    throw invalidCiphertext();
  }
  return keys;
}

import { MAX_HEADER_LENGTH } from './constants.js';
import { invalidCiphertext } from './errors.js';
import { type FileHeader, type ParsedHeader, parseHeader, serializeHeaderBody } from './header.js';
import { headerAuthTag, verifiedMessageKeys } from './message-keys.js';

/** The data key sealed anew (under the key's current version): what the header is to carry instead. */
export interface ResealedKey {
  readonly encryptedKey: string;
  readonly keyId: string;
  readonly keyVersion: number;
}

/**
 * Parses the header at the start of `bytes` (at least the whole header, or the whole file if it is
 * shorter than `MAX_HEADER_LENGTH`); a truncated or malformed one is `InvalidCiphertext`.
 */
export function parseWholeHeader(bytes: Buffer): ParsedHeader {
  const result = parseHeader(bytes.subarray(0, MAX_HEADER_LENGTH));
  if (!result.complete) throw invalidCiphertext();
  return result.parsed;
}

/**
 * The header of the same message with its data key sealed anew: the frames that follow it are bound
 * to the data key and the message id (their key derives from both, their AAD holds the message id),
 * not to the sealed key, so they stay valid as they are. `dataKey` is the data key opened from the
 * new sealing; it must be the one the old header commits to, and the old header must authenticate
 * under it: a header tampered with, or a sealing of another data key, is `InvalidCiphertext`.
 * Read only while this runs: the caller zeroes it afterwards.
 */
export function rewrapHeader(parsed: ParsedHeader, dataKey: Uint8Array, resealed: ResealedKey): Buffer {
  const keys = verifiedMessageKeys(dataKey, parsed);
  const header: FileHeader = { ...parsed.header, ...resealed };
  const body = serializeHeaderBody(header, keys.commitment);
  return Buffer.concat([body, headerAuthTag(keys.encryptionKey, body)]);
}

import { createCipheriv, createDecipheriv, randomBytes, type KeyObject } from 'node:crypto';
import { encodeContext, type EncryptionContext } from './encryption-context.js';
import { encodeHeader, IV_BYTES, parseToken, SealedToken, TAG_BYTES, type DataKeyRef, type ParsedToken } from './ciphertext-token.js';
import { invalidCiphertext } from './errors.js';

const ALGORITHM = 'aes-256-gcm';

/** A data key: best a KeyObject made once, since handing raw bytes to the cipher imports them anew each time. */
export type DataKeyMaterial = KeyObject | Uint8Array;

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

/** Encrypts with AES-256-GCM under a fresh random 96-bit IV. */
export function sealWithDataKey(
  dataKey: DataKeyMaterial,
  ref: DataKeyRef,
  plaintext: Uint8Array,
  context?: EncryptionContext,
): SealedToken {
  const header = encodeHeader(ref);
  const iv = nextIv();
  const cipher = createCipheriv(ALGORITHM, dataKey, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(additionalData(header, context));
  const ciphertext = cipher.update(plaintext);
  cipher.final(); // GCM is a stream mode: final() only computes the tag.
  return new SealedToken(header, iv, ciphertext, cipher.getAuthTag());
}

/** Decrypts a parsed token; any mismatch of key, header, context or bytes is `InvalidCiphertext`. */
export function openWithDataKey(dataKey: DataKeyMaterial, token: ParsedToken, context?: EncryptionContext): Buffer {
  const decipher = createDecipheriv(ALGORITHM, dataKey, token.iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(additionalData(token.header, context));
  decipher.setAuthTag(token.tag);
  try {
    const plaintext = decipher.update(token.ciphertext);
    decipher.final(); // Verifies the tag; GCM yields no further bytes.
    return plaintext;
  } catch {
    throw invalidCiphertext();
  }
}

export { parseToken };

function additionalData(header: Buffer, context?: EncryptionContext): Buffer {
  return Buffer.concat([header, encodeContext(context)]);
}

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { KmsError } from './errors.js';

/**
 * An emulated KMS ciphertext blob: it names its key and key material, and authenticates both and
 * the encryption context with AES-256-GCM.
 *
 *   version (1) | key id (36, ASCII) | material id (16) | iv (12) | tag (16) | ciphertext
 */
const VERSION = 1;
const KEY_ID_BYTES = 36;
const MATERIAL_BYTES = 16;
const HEADER_BYTES = 1 + KEY_ID_BYTES + MATERIAL_BYTES;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface BlobHeader {
  readonly keyId: string;
  readonly materialId: string;
}

export function seal(header: BlobHeader, material: Buffer, plaintext: Buffer, context: Record<string, string>): Buffer {
  const head = encodeHeader(header);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', material, iv);
  cipher.setAAD(Buffer.concat([head, encodeContext(context)]));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([head, iv, cipher.getAuthTag(), ciphertext]);
}

/** Reads the header only; a blob that cannot even name its key is invalid. */
export function readHeader(blob: Buffer): BlobHeader {
  if (blob.length < HEADER_BYTES + IV_BYTES + TAG_BYTES || blob[0] !== VERSION) throw invalidCiphertext();
  return {
    keyId: blob.subarray(1, 1 + KEY_ID_BYTES).toString('ascii'),
    materialId: blob.subarray(1 + KEY_ID_BYTES, HEADER_BYTES).toString('hex'),
  };
}

export function open(blob: Buffer, material: Buffer, context: Record<string, string>): Buffer {
  const iv = blob.subarray(HEADER_BYTES, HEADER_BYTES + IV_BYTES);
  const tag = blob.subarray(HEADER_BYTES + IV_BYTES, HEADER_BYTES + IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', material, iv);
  decipher.setAAD(Buffer.concat([blob.subarray(0, HEADER_BYTES), encodeContext(context)]));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(blob.subarray(HEADER_BYTES + IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch {
    throw invalidCiphertext();
  }
}

export const invalidCiphertext = () => new KmsError('InvalidCiphertextException', '');

function encodeHeader({ keyId, materialId }: BlobHeader): Buffer {
  return Buffer.concat([Buffer.from([VERSION]), Buffer.from(keyId.padEnd(KEY_ID_BYTES), 'ascii'), Buffer.from(materialId, 'hex')]);
}

/** Sorted entries, each key and value length-prefixed: no two contexts encode alike. */
function encodeContext(context: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  for (const [key, value] of Object.entries(context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    for (const text of [key, value]) {
      const bytes = Buffer.from(text, 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32BE(bytes.length);
      parts.push(length, bytes);
    }
  }
  return Buffer.concat(parts);
}

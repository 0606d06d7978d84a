import { MAX_CONTEXT_BYTES } from '../../contract/index.js';
import { ServiceError } from './errors.js';

/** Caller-supplied context, bound to a ciphertext as additional authenticated data. */
export type EncryptionContext = Readonly<Record<string, string>>;

/**
 * Encodes a context unambiguously: entries sorted by key, each key and value prefixed with its
 * UTF-8 byte length, so `{a: "bc"}` and `{ab: "c"}` never encode alike. An empty or absent
 * context encodes as a zero entry count.
 */
export function encodeContext(context: EncryptionContext = {}): Buffer {
  const entries = Object.entries(context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const parts: Buffer[] = [u32(entries.length)];
  for (const [key, value] of entries) {
    parts.push(lengthPrefixed(key), lengthPrefixed(value));
  }
  return Buffer.concat(parts);
}

/** The UTF-8 bytes of a context's keys and values, which `MAX_CONTEXT_BYTES` bounds. */
export function contextBytes(context: EncryptionContext = {}): number {
  let bytes = 0;
  for (const [key, value] of Object.entries(context)) {
    bytes += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  return bytes;
}

export const CONTEXT_SIZE_RULE = `must be at most ${MAX_CONTEXT_BYTES} bytes in all.`;

export function assertContextSize(context: EncryptionContext = {}): void {
  if (contextBytes(context) > MAX_CONTEXT_BYTES) throw new ServiceError('ValidationError', `context ${CONTEXT_SIZE_RULE}`);
}

function lengthPrefixed(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([u32(bytes.length), bytes]);
}

function u32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value);
  return buffer;
}

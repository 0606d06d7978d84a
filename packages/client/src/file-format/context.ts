import { MAX_CONTEXT_LENGTH } from './constants.js';
import { decodeUtf8, readComplete, u16 } from './bytes.js';
import { invalidArgument, invalidCiphertext } from './errors.js';

export type EncryptionContext = Readonly<Record<string, string>>;

const MAX_FIELD_LENGTH = 0xffff;

/**
 * The canonical encoding: u16 pair count, then per pair u16 length | key | u16 length | value, all
 * UTF-8, pairs in ascending order of the key's UTF-8 bytes. Canonical so that equal contexts have
 * equal bytes, which is what the header authenticates and what `expectedContext` compares.
 */
export function encodeContext(context: EncryptionContext): Buffer {
  const pairs = Object.entries(context).map(([key, value]) => [utf8Field(key, 'key'), utf8Field(value, 'value')] as const);
  if (pairs.some(([key]) => key.length === 0)) throw invalidArgument('Encryption context keys must not be empty.');
  pairs.sort(([a], [b]) => Buffer.compare(a, b));
  const parts: Buffer[] = [u16(pairs.length)];
  for (const [key, value] of pairs) parts.push(u16(key.length), key, u16(value.length), value);
  const encoded = Buffer.concat(parts);
  if (encoded.length > MAX_CONTEXT_LENGTH) throw invalidArgument(`The encryption context must encode to at most ${MAX_CONTEXT_LENGTH} bytes.`);
  return encoded;
}

/** Reads the canonical encoding back; anything else (unsorted, duplicate, empty key, bad UTF-8) is refused. */
export function decodeContext(encoded: Buffer): EncryptionContext {
  return readComplete(encoded, (reader) => {
    const count = reader.u16();
    const entries: [string, string][] = [];
    let previousKey: Buffer | undefined;
    for (let i = 0; i < count; i++) {
      const key = reader.view(reader.u16());
      if (key.length === 0 || (previousKey && Buffer.compare(previousKey, key) >= 0)) throw invalidCiphertext();
      previousKey = key;
      entries.push([decodeUtf8(key), reader.utf8(reader.u16())]);
    }
    return Object.fromEntries(entries);
  });
}

function utf8Field(text: unknown, what: string): Buffer {
  if (typeof text !== 'string') throw invalidArgument(`Encryption context ${what}s must be strings.`);
  const bytes = Buffer.from(text, 'utf8');
  // A lone surrogate would be written as U+FFFD and decrypt to a different context.
  if (bytes.toString('utf8') !== text) throw invalidArgument(`Encryption context ${what}s must be well-formed Unicode.`);
  if (bytes.length > MAX_FIELD_LENGTH) throw invalidArgument(`Encryption context ${what}s must be at most ${MAX_FIELD_LENGTH} bytes.`);
  return bytes;
}

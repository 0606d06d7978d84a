import { ByteQueue } from './byte-queue.js';
import { MAX_HEADER_LENGTH } from './constants.js';
import { invalidCiphertext } from './errors.js';
import { parseHeader, type FileHeader, type ParsedHeader } from './header.js';

/** Collects a header from a byte queue, parsing again only once the bytes the last attempt lacked have arrived. */
export class HeaderReader {
  #bytesNeeded = 1;

  /** The header, removed from the queue, or undefined while it is incomplete. */
  read(input: ByteQueue): ParsedHeader | undefined {
    if (input.length < this.#bytesNeeded) return undefined;
    const result = parseHeader(input.peek(Math.min(input.length, MAX_HEADER_LENGTH)));
    if (!result.complete) {
      this.#bytesNeeded = result.needed;
      return undefined;
    }
    input.skip(result.parsed.length);
    return result.parsed;
  }
}

/**
 * The header at the start of an encrypted file, for display (a CLI showing key id and context)
 * without the key. Nothing in it is authenticated until the file is decrypted. Stops reading once
 * the header is complete: a stream passed in is destroyed at that point.
 */
export async function readHeader(source: Uint8Array | AsyncIterable<Uint8Array>): Promise<FileHeader> {
  const input = new ByteQueue();
  const reader = new HeaderReader();
  for await (const chunk of source instanceof Uint8Array ? [source] : source) {
    input.append(asBuffer(chunk));
    const parsed = reader.read(input);
    if (parsed) return parsed.header;
  }
  throw invalidCiphertext();
}

const asBuffer = (bytes: Uint8Array) => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));

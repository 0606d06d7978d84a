/**
 * Written chunks not yet consumed. Reads return views of the chunks and copy only when a read spans
 * two of them, which happens for a few header bytes per chunk, never for frame content. What is
 * consumed of the first chunk is an offset into it rather than a new view of the rest, so that a
 * read allocates nothing but the view it returns (a stream's per-frame garbage is what slows it in
 * a large heap: docs/file-format.md).
 */
export class ByteQueue {
  readonly #chunks: Buffer[] = [];
  /** Bytes of `#chunks[0]` already consumed. */
  #offset = 0;
  #length = 0;

  get length(): number {
    return this.#length;
  }

  append(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#length += chunk.length;
  }

  /** The first `length` bytes (at most `this.length`), left in the queue. */
  peek(length: number): Buffer {
    if (length > this.#length) throw new RangeError('Not enough bytes queued.');
    const first = this.#chunks[0];
    if (first && first.length - this.#offset >= length) return first.subarray(this.#offset, this.#offset + length);
    return this.#copyFront(length);
  }

  /** The big-endian u32 the queue starts with (at least 4 bytes queued), left in the queue; no view is made of it. */
  peekUInt32BE(): number {
    const first = this.#chunks[0];
    if (first && first.length - this.#offset >= 4) return first.readUInt32BE(this.#offset);
    return this.peek(4).readUInt32BE(0);
  }

  /** Removes and returns the first `length` bytes (at most `this.length`). */
  take(length: number): Buffer {
    const bytes = this.peek(length);
    this.skip(length);
    return bytes;
  }

  /** Removes and returns up to `maxLength` bytes from the first chunk, without copying (the chunk itself when it is all taken). */
  takeFromFirstChunk(maxLength: number): Buffer {
    const first = this.#chunks[0];
    if (!first) return Buffer.alloc(0);
    const offset = this.#offset;
    const length = Math.min(maxLength, first.length - offset);
    const bytes = offset === 0 && length === first.length ? first : first.subarray(offset, offset + length);
    this.skip(length);
    return bytes;
  }

  skip(length: number): void {
    this.#length -= length;
    let remaining = length;
    while (remaining > 0) {
      const first = this.#chunks[0]!;
      const available = first.length - this.#offset;
      if (available > remaining) {
        this.#offset += remaining;
        return;
      }
      this.#chunks.shift();
      this.#offset = 0;
      remaining -= available;
    }
  }

  #copyFront(length: number): Buffer {
    const bytes = Buffer.allocUnsafe(length);
    let filled = 0;
    let start = this.#offset;
    for (const chunk of this.#chunks) {
      if (filled === length) break;
      filled += chunk.copy(bytes, filled, start, Math.min(chunk.length, start + length - filled));
      start = 0;
    }
    return bytes;
  }
}

/**
 * Written chunks not yet consumed. Reads return views of the chunks and copy only when a read spans
 * two of them, which happens for a few header bytes per chunk, never for frame content.
 */
export class ByteQueue {
  readonly #chunks: Buffer[] = [];
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
    if (first && first.length >= length) return first.subarray(0, length);
    return this.#copyFront(length);
  }

  /** Removes and returns the first `length` bytes (at most `this.length`). */
  take(length: number): Buffer {
    const bytes = this.peek(length);
    this.skip(length);
    return bytes;
  }

  /** Removes and returns up to `maxLength` bytes from the first chunk, without copying. */
  takeFromFirstChunk(maxLength: number): Buffer {
    const first = this.#chunks[0];
    if (!first) return Buffer.alloc(0);
    const bytes = first.subarray(0, Math.min(maxLength, first.length));
    this.skip(bytes.length);
    return bytes;
  }

  skip(length: number): void {
    this.#length -= length;
    let remaining = length;
    while (remaining > 0) {
      const first = this.#chunks[0]!;
      if (first.length > remaining) {
        this.#chunks[0] = first.subarray(remaining);
        return;
      }
      this.#chunks.shift();
      remaining -= first.length;
    }
  }

  #copyFront(length: number): Buffer {
    const bytes = Buffer.allocUnsafe(length);
    let filled = 0;
    for (const chunk of this.#chunks) {
      if (filled === length) break;
      filled += chunk.copy(bytes, filled, 0, Math.min(chunk.length, length - filled));
    }
    return bytes;
  }
}

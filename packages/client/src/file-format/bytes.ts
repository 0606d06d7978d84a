import { invalidCiphertext } from './errors.js';

/** Thrown by `ByteReader` when the bytes end early: `needed` is the total length the read required. */
export class NeedMoreBytes {
  constructor(readonly needed: number) {}
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Well-formed UTF-8 only: a string must have one encoding, or two headers could mean the same thing. */
export function decodeUtf8(bytes: Buffer): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw invalidCiphertext();
  }
}

/** Runs `read` over a complete field: running out of bytes there is a malformed field, not a short read. */
export function readComplete<T>(bytes: Buffer, read: (reader: ByteReader) => T): T {
  const reader = new ByteReader(bytes);
  try {
    const value = read(reader);
    if (reader.offset !== bytes.length) throw invalidCiphertext();
    return value;
  } catch (error) {
    throw error instanceof NeedMoreBytes ? invalidCiphertext() : error;
  }
}

/** A big-endian cursor over one contiguous buffer. */
export class ByteReader {
  offset = 0;

  constructor(private readonly bytes: Buffer) {}

  u8(): number {
    return this.bytes.readUInt8(this.advance(1));
  }

  u16(): number {
    return this.bytes.readUInt16BE(this.advance(2));
  }

  u32(): number {
    return this.bytes.readUInt32BE(this.advance(4));
  }

  /** A view of the next `length` bytes (no copy). */
  view(length: number): Buffer {
    const start = this.advance(length);
    return this.bytes.subarray(start, start + length);
  }

  /** A copy of bytes already read, from `start` up to (not including) `end`. */
  copyFrom(start: number, end: number): Buffer {
    return Buffer.from(this.bytes.subarray(start, end));
  }

  /** A copy of the next `length` bytes, safe to keep after the source buffer is reused. */
  copy(length: number): Buffer {
    return Buffer.from(this.view(length));
  }

  utf8(length: number): string {
    return decodeUtf8(this.view(length));
  }

  private advance(length: number): number {
    const start = this.offset;
    if (start + length > this.bytes.length) throw new NeedMoreBytes(start + length);
    this.offset = start + length;
    return start;
  }
}

export function u8(value: number): Buffer {
  return Buffer.of(value);
}

export function u16(value: number): Buffer {
  const bytes = Buffer.allocUnsafe(2);
  bytes.writeUInt16BE(value);
  return bytes;
}

export function u32(value: number): Buffer {
  const bytes = Buffer.allocUnsafe(4);
  bytes.writeUInt32BE(value);
  return bytes;
}

import type { FileHandle } from 'node:fs/promises';

/**
 * Bytes per read, and bytes a write stream gathers into one write: a call's fixed cost vanishes at
 * this size, and a few such buffers are all a file transfer holds.
 */
export const IO_CHUNK_SIZE = 1024 * 1024;

export interface ChunkReading {
  /** Bytes per chunk, asked before each read: it may grow once the caller knows how long its records are. @default IO_CHUNK_SIZE */
  readonly chunkSize?: () => number;
  /** Chunks before the current one that must stay unchanged, as the caller still refers to them. @default 0 */
  readonly kept?: number;
}

/**
 * A file's bytes in chunks, read one chunk ahead: the next chunk is read while the caller handles
 * this one. A few buffers take turns (no allocation per chunk, and no garbage for the collector), so
 * a chunk is valid only until the caller asks for the one `kept + 1` after it; all are zeroed at the
 * end, as they held the file's bytes, and none comes from Node's shared buffer pool. Every chunk but
 * the last is full, whatever a pipe or a FIFO gives per read: reads go from the file's current
 * position, one at a time, so those read as well as a regular file.
 */
export async function* readChunks(
  file: FileHandle,
  { chunkSize = () => IO_CHUNK_SIZE, kept = 0 }: ChunkReading = {},
): AsyncGenerator<Buffer, void, undefined> {
  const buffers: Buffer[] = [];
  let turn = 0;
  const readNext = (): Promise<Buffer> => {
    const size = chunkSize();
    const current = buffers[turn];
    if (!current || current.length < size) {
      current?.fill(0);
      buffers[turn] = Buffer.allocUnsafeSlow(size);
    }
    const buffer = buffers[turn]!.subarray(0, size);
    turn = (turn + 1) % (kept + 2);
    return settledLater(readInto(file, buffer));
  };
  let reading = readNext();
  try {
    for (;;) {
      const chunk = await reading;
      if (chunk.length === 0) return;
      reading = readNext();
      yield chunk;
    }
  } finally {
    // A read still writing into a buffer must end before the buffers are wiped (or the file closed).
    await reading.catch(() => undefined);
    for (const buffer of buffers) buffer.fill(0);
  }
}

/** The file's next `length` bytes, fewer only where it ends, in a buffer of their own. */
export const readUpTo = (file: FileHandle, length: number): Promise<Buffer> => readInto(file, Buffer.allocUnsafe(length));

/** Reads until the buffer is full or the file ends; the part read. */
async function readInto(file: FileHandle, buffer: Buffer): Promise<Buffer> {
  let filled = 0;
  while (filled < buffer.length) {
    const { bytesRead } = await file.read(buffer, filled, buffer.length - filled, null);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

/**
 * Writes buffers one after another from the start of a file, with one write in flight: the caller
 * prepares the next buffers while the last ones are written. A failed write fails the next call.
 */
export class FileAppender {
  readonly #file: FileHandle;
  #position = 0;
  #writing: Promise<void> = Promise.resolve();

  constructor(file: FileHandle) {
    this.#file = file;
  }

  /** Resolves once the previous buffers are written and these are on their way; they must stay unchanged until `flush`. */
  async append(buffers: readonly Buffer[]): Promise<void> {
    await this.#writing;
    this.#writing = settledLater(writeFully(this.#file, buffers, this.#position));
    for (const buffer of buffers) this.#position += buffer.length;
  }

  /** Resolves once everything appended is written. */
  flush(): Promise<void> {
    return this.#writing;
  }
}

/** writev until every byte is written: a regular file may take fewer bytes than asked in one call. */
async function writeFully(file: FileHandle, buffers: readonly Buffer[], position: number): Promise<void> {
  let rest = buffers.filter((buffer) => buffer.length > 0);
  while (rest.length > 0) {
    const { bytesWritten } = await file.writev(rest, position);
    if (bytesWritten === 0) throw new Error('A write to the output file made no progress.');
    position += bytesWritten;
    rest = dropBytes(rest, bytesWritten);
  }
}

function dropBytes(buffers: readonly Buffer[], count: number): Buffer[] {
  let index = 0;
  while (index < buffers.length && count >= buffers[index]!.length) count -= buffers[index++]!.length;
  if (index === buffers.length) return [];
  return [buffers[index]!.subarray(count), ...buffers.slice(index + 1)];
}

/**
 * The promise, marked as handled: it is awaited later, after other awaits, and a rejection in between
 * must not count as unhandled (which would end the process).
 */
function settledLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** Node's own error for a directory where a file was expected (EISDIR; the CLI's exit code 3). */
export const isDirectory = (path: string, operation: 'read' | 'open'): Error =>
  Object.assign(new Error(`EISDIR: illegal operation on a directory, ${operation} '${path}'`), { code: 'EISDIR', path });

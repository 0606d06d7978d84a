import { readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { setImmediate as loopTurn } from 'node:timers/promises';

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
  /**
   * Reads on this thread, each when its chunk is asked for, rather than one ahead on the thread
   * pool: for a regular file, whose reads come from the page cache or its read-ahead, so that the
   * chunk is handled on the core that read it, and no thread hand-off is paid per chunk. Never for a
   * pipe or a FIFO, whose writer may be this very thread.
   */
  readonly blocking?: boolean;
}

/**
 * A file's bytes in chunks, read one chunk ahead (unless `blocking`): the next chunk is read while the caller handles
 * this one. A few buffers take turns (no allocation per chunk, and no garbage for the collector), so
 * a chunk is valid only until the caller asks for the one `kept + 1` after it; all are zeroed at the
 * end, as they held the file's bytes, and none comes from Node's shared buffer pool. Every chunk but
 * the last is full, whatever a pipe or a FIFO gives per read: reads go from the file's current
 * position, one at a time, so those read as well as a regular file.
 */
export async function* readChunks(
  file: FileHandle,
  { chunkSize = () => IO_CHUNK_SIZE, kept = 0, blocking = false }: ChunkReading = {},
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
    return blocking ? Promise.resolve(readIntoNow(file.fd, buffer)) : settledLater(readInto(file, buffer));
  };
  let reading = blocking ? undefined : readNext();
  try {
    for (;;) {
      const chunk = await (reading ?? readNext());
      if (chunk.length === 0) return;
      reading = blocking ? undefined : readNext();
      yield chunk;
    }
  } finally {
    // A read still writing into a buffer must end before the buffers are wiped (or the file closed).
    await reading?.catch(() => undefined);
    for (const buffer of buffers) buffer.fill(0);
  }
}

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

/** `readInto` with blocking calls on this thread. */
function readIntoNow(fd: number, buffer: Buffer): Buffer {
  let filled = 0;
  while (filled < buffer.length) {
    const bytesRead = readSync(fd, buffer, filled, buffer.length - filled, null);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

export interface Appending {
  /** Writes in flight at most (each at its own position, so their order does not matter). @default 1 */
  readonly depth?: number;
  /**
   * Writes that may wait behind those in flight, each starting as one ends, before `append` waits:
   * a burst of buffers then goes out while the caller goes on, if it calls `poll` meanwhile. @default 0
   */
  readonly backlog?: number;
  /** Bytes gathered from the buffers appended before they are written together. @default 0 */
  readonly writeSize?: number;
  /**
   * Bytes after which what is written so far is synced to disk in the background, one sync at a
   * time. @default Infinity
   */
  readonly syncEvery?: number;
  /**
   * The buffers appended are the appender's: once written, each that is a whole memory block of its
   * own (not a view, not a slice of Node's shared pool) is freed at once (see `freeNow`). @default false
   */
  readonly freeWritten?: boolean;
}

/**
 * Writes buffers one after another from the start of a file, gathered into writes of `writeSize`
 * bytes or more, with up to `depth` writes in flight: the caller prepares the next buffers while
 * the last ones are written, and one slow write does not stop it at once. A failed write fails a
 * later call.
 */
export class FileAppender {
  readonly #file: FileHandle;
  readonly #depth: number;
  readonly #backlog: number;
  readonly #writeSize: number;
  #position = 0;
  #gathered: Buffer[] = [];
  #gatheredLength = 0;
  readonly #writing: Promise<void>[] = [];
  readonly #syncEvery: number;
  readonly #freeWritten: boolean;
  #syncedUpTo = 0;
  #syncing: Promise<void> | undefined;

  constructor(
    file: FileHandle,
    { depth = 1, backlog = 0, writeSize = 0, syncEvery = Number.POSITIVE_INFINITY, freeWritten = false }: Appending = {},
  ) {
    this.#file = file;
    this.#freeWritten = freeWritten;
    this.#depth = depth;
    this.#backlog = backlog;
    this.#writeSize = writeSize;
    this.#syncEvery = syncEvery;
  }

  /** Resolves once the buffers are gathered or on their way; they must stay unchanged until `flush`. */
  async append(buffers: readonly Buffer[]): Promise<void> {
    for (const buffer of buffers) {
      this.#gathered.push(buffer);
      this.#gatheredLength += buffer.length;
      if (this.#gatheredLength >= this.#writeSize) await this.#write();
    }
  }

  /**
   * Lets the event loop start the writes waiting behind those in flight (a write's end is seen only
   * on a loop turn, which a caller that reads with blocking calls and appends nothing never takes).
   */
  async poll(): Promise<void> {
    if (this.#writing.length > this.#depth) await loopTurn();
  }

  /** Resolves once everything appended is written. */
  async flush(): Promise<void> {
    if (this.#gathered.length > 0) await this.#write();
    while (this.#writing.length > 0) await this.#writing.shift();
    await this.#syncing;
  }

  async #write(): Promise<void> {
    while (this.#writing.length >= this.#depth + this.#backlog) await this.#writing.shift();
    // Each write starts once the one `depth` before it has ended: no more than `depth` run at once.
    const before = this.#writing.at(-this.#depth);
    const buffers = this.#gathered;
    const written = writeFully.bind(undefined, this.#file, buffers, this.#position);
    const write = this.#freeWritten ? () => written().then(() => buffers.forEach(freeNow)) : written;
    this.#writing.push(settledLater(before ? before.then(write) : write()));
    this.#position += this.#gatheredLength;
    this.#gathered = [];
    this.#gatheredLength = 0;
    this.#syncInBackground();
  }

  /**
   * Starts the disk on what is written while the rest is being made: otherwise the kernel holds a
   * file's first gigabytes in memory until its dirty threshold, and the final sync waits for all of them.
   */
  #syncInBackground(): void {
    if (this.#syncing || this.#position - this.#syncedUpTo < this.#syncEvery) return;
    this.#syncedUpTo = this.#position;
    // A failed sync stays, for `flush` to report: the kernel reports a write-back error to one sync only.
    const syncing: Promise<void> = settledLater(
      this.#file.datasync().then(() => {
        if (this.#syncing === syncing) this.#syncing = undefined;
      }),
    );
    this.#syncing = syncing;
  }
}

/**
 * Detaches a buffer that owns its whole memory block, larger than a slab of Node's pool, so that the
 * block goes back to the allocator now, and the next buffer of its size is carved from it, instead of
 * waiting with every other block for a collection: a file transfer that leaves its cipher's outputs to
 * the collector holds tens of MiB of them at any time, and the allocator, asked for fresh blocks all
 * along, hands out new pages the kernel must zero (3 GiB in 256 KiB outputs: 0.65 s of CPU instead of 0.4).
 */
export function freeNow(buffer: Buffer): void {
  const block = buffer.buffer as ArrayBufferLike & Partial<Transferable>;
  // Node 20 has no ArrayBuffer.prototype.transfer (ES2024): its blocks wait for the collector, as before.
  if (buffer.byteOffset === 0 && buffer.length === block.byteLength && block.byteLength > Buffer.poolSize) block.transfer?.(0);
}

/** ES2024's ArrayBuffer.prototype.transfer, beyond the ES2023 library this project compiles against. */
interface Transferable {
  transfer(newByteLength?: number): ArrayBuffer;
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

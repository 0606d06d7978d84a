import { randomBytes } from 'node:crypto';
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { addAbortSignal, type Readable, Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { EncryptionContext } from '../../../contract/index.js';
import type { DataKeys } from './data-keys.js';
import { type ChunkReading, FileAppender, IO_CHUNK_SIZE, isDirectory, readChunks } from './file-io.js';
import { invalidCiphertext } from './file-format/errors.js';
import { createDecryptStream } from './file-format/index.js';
import { type DecryptStreamOptions as FormatDecryptOptions, FrameOpener } from './file-format/frame-opener.js';
import { PIECE_SIZE } from './file-format/constants.js';
import { createSealingStream } from './file-format/encrypt-stream.js';
import { FrameSealer } from './file-format/frame-sealer.js';

export interface EncryptStreamOptions {
  /** The data key's key id or `alias/<name>`. */
  readonly keyId: string;
  readonly context?: EncryptionContext;
  /** Plaintext bytes per frame. @default 1 MiB */
  readonly frameSize?: number;
}

export interface DecryptStreamOptions {
  /** When given, a file made under any other context is refused before its key is asked for. */
  readonly expectedContext?: EncryptionContext;
}

/** Plaintext bytes done so far, and in all when known. */
export type ProgressCallback = (done: number, total: number | undefined) => void;

export interface FileOptions {
  readonly onProgress?: ProgressCallback;
  /**
   * Stops the work when aborted, at any point (the API call included): the promise rejects with the
   * signal's reason, a file output is removed and a stream input is destroyed.
   */
  readonly signal?: AbortSignal;
}

/**
 * Encrypts under a fresh data key: one API call (the data key), whose plaintext copy is wiped once
 * the sealer has derived its own key from it.
 */
async function sealerFor(
  dataKeys: DataKeys,
  { keyId, context, frameSize }: EncryptStreamOptions,
  signal: AbortSignal | undefined,
  plaintextLength?: number,
): Promise<FrameSealer> {
  const dataKey = await abortable(dataKeys.generateDataKey(keyId, context), signal, (late) => late.plaintextKey?.fill(0));
  const plaintextKey = dataKey.plaintextKey!;
  try {
    return new FrameSealer({
      dataKey: plaintextKey,
      encryptedKey: dataKey.encryptedKey,
      keyId: dataKey.keyId,
      keyVersion: dataKey.keyVersion,
      context,
      frameSize,
      plaintextLength,
    });
  } finally {
    plaintextKey.fill(0);
  }
}

/**
 * The work's value, or a rejection with the signal's reason as soon as it aborts; a value that comes
 * after the abort goes to `discard` (a data key is wiped).
 */
export function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined, discard: (late: T) => void): Promise<T> {
  if (!signal) return work;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      reject(signal.reason);
      work.then(discard, () => undefined);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** A stream that encrypts into the file format under a fresh data key (one API call). */
export async function encryptingStream(dataKeys: DataKeys, options: EncryptStreamOptions, signal?: AbortSignal): Promise<Transform> {
  return createSealingStream(await sealerFor(dataKeys, options, signal));
}

/**
 * A stream that decrypts the file format: one API call, to decrypt the data key the header carries.
 * The header's key id and version must be those the API reports the data key under: a header that
 * names another key (to mislead whoever reads it) is refused as `InvalidCiphertext`.
 */
export function decryptingStream(dataKeys: DataKeys, options: DecryptStreamOptions = {}): Transform {
  return createDecryptStream(openerOptions(dataKeys, options, undefined));
}

function openerOptions(dataKeys: DataKeys, { expectedContext }: DecryptStreamOptions, signal: AbortSignal | undefined): FormatDecryptOptions {
  return {
    expectedContext,
    unwrapKey: async ({ encryptedKey, keyId, keyVersion, context }) => {
      const opened = await abortable(dataKeys.decrypt(encryptedKey, context), signal, (late) => late.plaintext.fill(0));
      if (opened.keyId !== keyId || opened.keyVersion !== keyVersion) {
        opened.plaintext.fill(0);
        throw invalidCiphertext();
      }
      return opened.plaintext;
    },
  };
}

/**
 * Encrypts a file (or stream) into another; a file output appears only once complete. Into a file,
 * it reads ahead and writes behind with buffers of its own rather than through a stream pipeline,
 * so that encryption, reading and writing overlap (docs/performance.md).
 */
export async function encryptFile(
  dataKeys: DataKeys,
  input: string | Readable,
  output: string | Writable,
  options: EncryptStreamOptions & FileOptions,
): Promise<void> {
  const { signal } = options;
  signal?.throwIfAborted();
  if (typeof output !== 'string') {
    const source = await streamOf(input);
    const stages = [progress(options.onProgress, source.size), () => encryptingStream(dataKeys, options, signal)];
    await withAbortReason(signal, () => pipelineFrom(source, stages, output, signal));
    return;
  }
  const source = typeof input === 'string' ? await openFile(input) : undefined;
  const chunks = source ? readChunks(source.file, reading(source)) : signal ? addAbortSignal(signal, input as Readable) : (input as Readable);
  try {
    // The output is created first: one that cannot be written fails before the data key is asked for.
    await writeAtomically(output, async (file) => {
      const sealer = await sealerFor(dataKeys, options, signal, source?.regular ? source.size : undefined);
      try {
        await writeThrough(file, chunks, sealing(sealer), { ...options, total: source?.size });
      } finally {
        sealer.release();
      }
    });
  } catch (error) {
    if (!source) (input as Readable).destroy(); // not read, or read in part: let go of it, as a pipeline would
    throw reasonOr(signal, error);
  } finally {
    await source?.file.close();
  }
}

/** A regular file is read in pieces a cache holds, on this thread; anything else a chunk ahead. */
const reading = ({ regular }: OpenedFile): ChunkReading => (regular ? { chunkSize: () => PIECE_SIZE, blocking: true } : {});

/** What a file transfer runs its chunks through: a sealer or an opener, as `writeThrough` drives it. */
interface ChunkTransform {
  /** Bytes that go before any chunk's (the file header). */
  readonly head: readonly Buffer[];
  update(chunk: Buffer): Buffer[] | Promise<Buffer[]>;
  final(): readonly Buffer[];
}

const sealing = (sealer: FrameSealer): ChunkTransform => ({
  head: sealer.header,
  update: (plaintext) => sealer.update(plaintext),
  final: () => sealer.final(),
});

/** Verified plaintext only; `final` fails unless the final frame verified. */
const opening = (opener: FrameOpener): ChunkTransform => ({
  head: [],
  update: async (ciphertext) => {
    const plaintext: Buffer[] = [];
    await opener.update(ciphertext, (piece) => plaintext.push(piece));
    return plaintext;
  },
  final: () => {
    opener.final();
    return [];
  },
});

/** Writes into the page cache at once: a third lets the cipher run on while two stall on the file system. */
const WRITES_IN_FLIGHT = 3;

/**
 * Writes that may wait behind those in flight, two 1 MiB frames of pieces. An opener releases a
 * frame's plaintext all at once, when its tag verifies (eight pieces at 1 MiB frames): with two
 * writes queued it waited for most of them before reading on, and the disk idled while it opened
 * the next frame. 3 GiB until synced, against `cp` on the same disk in turn, five pairs each:
 * decrypt at 0.78x the copy's speed with 2 in flight and 2 queued, 0.99x with 3 and 16; encrypt 0.87x
 * with 2 and none, 0.94-0.97x with 3 (docs/performance.md).
 */
const WRITES_QUEUED = 16;

/**
 * The output is synced in the background every so many bytes, so that the disk writes while the
 * cipher runs, rather than all at the final sync (3 GiB until synced: about a tenth faster than
 * with one sync at the end; every 16 MiB syncs too often, 256 MiB gains no more).
 */
const SYNC_EVERY = 64 * 1024 * 1024;

/**
 * Writes what the transform makes of the chunks as they come: its head first, its final bytes last.
 * What the transform makes is written in pieces of about `PIECE_SIZE`: larger writes into the page
 * cache cost two to three times as much per byte on Linux 6.x's ext4 (its large folios), and each
 * piece is still in the cache of the core that made it.
 */
async function writeThrough(
  file: FileHandle,
  chunks: AsyncIterable<Buffer>,
  transform: ChunkTransform,
  { onProgress, signal, total }: FileOptions & { total: number | undefined },
): Promise<void> {
  const output = new FileAppender(file, {
    depth: WRITES_IN_FLIGHT,
    backlog: WRITES_QUEUED,
    writeSize: PIECE_SIZE,
    syncEvery: SYNC_EVERY,
    freeWritten: true,
  });
  let done = 0;
  await output.append(transform.head);
  for await (const chunk of chunks) {
    signal?.throwIfAborted();
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    await output.append(await transform.update(bytes));
    await output.poll();
    done += bytes.length;
    onProgress?.(done, total);
  }
  signal?.throwIfAborted();
  await output.append(transform.final());
  await output.flush();
}

/**
 * Decrypts a file (or stream) into another. Frames are verified one by one, so a file written to
 * disk is written to a temporary name and renamed only once the last frame has verified: a failed
 * decryption leaves no plaintext behind. A stream output receives verified frames as they come,
 * and must be discarded if this rejects. Into a file, it reads ahead and writes behind, as
 * `encryptFile` does.
 */
export async function decryptFile(
  dataKeys: DataKeys,
  input: string | Readable,
  output: string | Writable,
  options: DecryptStreamOptions & FileOptions = {},
): Promise<void> {
  const { signal } = options;
  signal?.throwIfAborted();
  if (typeof output !== 'string') {
    const source = await streamOf(input);
    const stages = [progress(options.onProgress, source.size), () => decryptingStream(dataKeys, options)];
    await withAbortReason(signal, () => pipelineFrom(source, stages, output, signal));
    return;
  }
  const source = typeof input === 'string' ? await openFile(input) : undefined;
  const opener = new FrameOpener(openerOptions(dataKeys, options, signal));
  // The opener may refer to the chunk before the current one (a frame header or tag split across them).
  const chunks = source
    ? readChunks(source.file, { ...reading(source), kept: 1 })
    : signal
      ? addAbortSignal(signal, input as Readable)
      : (input as Readable);
  try {
    await writeAtomically(output, (file) => writeThrough(file, chunks, opening(opener), { ...options, total: source?.size }));
  } catch (error) {
    if (!source) (input as Readable).destroy();
    throw reasonOr(signal, error);
  } finally {
    opener.release();
    await source?.file.close();
  }
}

/** Work stopped by its signal fails with the signal's reason on every route (a pipeline's own rejection is an AbortError). */
const reasonOr = (signal: AbortSignal | undefined, error: unknown): unknown => (signal?.aborted ? signal.reason : error);

async function withAbortReason(signal: AbortSignal | undefined, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    throw reasonOr(signal, error);
  }
}

interface Source {
  readonly stream: Readable;
  readonly size: number | undefined;
}

/**
 * Pipes the source through the stages into the output. A stage may be made late (the encrypting
 * stream asks the API for its data key): if making it fails, the source is destroyed, so that no
 * input file is left open; the output is left as it was, untouched.
 */
async function pipelineFrom(
  source: Source,
  stages: readonly (Transform | (() => Transform | Promise<Transform>))[],
  output: Writable,
  signal: AbortSignal | undefined,
): Promise<void> {
  let made: Transform[];
  try {
    made = await Promise.all(stages.map((stage) => (typeof stage === 'function' ? stage() : stage)));
  } catch (error) {
    source.stream.destroy();
    throw error;
  }
  await pipeline([source.stream, ...made, output], { signal });
}

/** Counts the bytes that pass, for a progress callback. */
function progress(onProgress: ProgressCallback | undefined, total: number | undefined): Transform {
  let done = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      done += chunk.length;
      onProgress?.(done, total);
      callback(null, chunk);
    },
  });
}

/**
 * Opens an input file and learns its size, before any API call is made: a missing or unreadable
 * input, or a directory (which opens, and fails only when read), fails first.
 */
export interface OpenedFile {
  readonly file: FileHandle;
  readonly size: number;
  /** A regular file, not a pipe, FIFO or device: its reads neither wait for a writer nor end early. */
  readonly regular: boolean;
  /** Its permission bits and file type, as stat gives them. */
  readonly mode: number;
}

export async function openFile(path: string): Promise<OpenedFile> {
  const file = await open(path, 'r');
  try {
    const stats = await file.stat();
    if (stats.isDirectory()) throw isDirectory(path, 'read');
    return { file, size: stats.size, regular: stats.isFile(), mode: stats.mode };
  } catch (error) {
    await file.close();
    throw error;
  }
}

async function streamOf(input: string | Readable): Promise<Source> {
  if (typeof input !== 'string') return { stream: input, size: undefined };
  const { file, size } = await openFile(input);
  return { stream: file.createReadStream({ highWaterMark: IO_CHUNK_SIZE }), size };
}

/** Characters of the output's name kept in its temporary name: at most 4 UTF-8 bytes each, the whole name stays within 255 bytes. */
const TEMPORARY_NAME_PREFIX = 48;

/**
 * Writes a file under a temporary name in its directory (readable by its owner only), makes it
 * durable and renames it into place once `write` succeeds; on failure the temporary file is removed.
 * The data is synced before the rename and the directory after it, so that a crash leaves either no
 * output or a whole one under its name, never a named file missing its last writes.
 */
export async function writeAtomically(output: string, write: (file: FileHandle, temporary: string) => Promise<void>): Promise<void> {
  const temporary = join(dirname(output), `.${basename(output).slice(0, TEMPORARY_NAME_PREFIX)}.${randomBytes(6).toString('hex')}.partial`);
  const file = await open(temporary, 'wx', 0o600);
  try {
    try {
      await write(file, temporary);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, output);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await syncDirectory(dirname(output));
}

/** Makes a rename in the directory durable. Some file systems refuse to sync a directory: the rename then stands as the system keeps it. */
async function syncDirectory(path: string): Promise<void> {
  const directory = await open(path, 'r').catch(() => undefined);
  try {
    await directory?.sync().catch(() => undefined);
  } finally {
    await directory?.close();
  }
}

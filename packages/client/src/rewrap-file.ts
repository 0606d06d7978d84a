import { copyFile, type FileHandle, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { EncryptionContext, SealedValue } from '../../../contract/index.js';
import type { DecryptResult } from './data-keys.js';
import { FileAppender, IO_CHUNK_SIZE, isDirectory } from './file-io.js';
import { contextMismatch, invalidArgument, invalidCiphertext } from './file-format/errors.js';
import { MAX_HEADER_LENGTH } from './file-format/constants.js';
import { encodeContext } from './file-format/context.js';
import { verifiedMessageKeys } from './file-format/message-keys.js';
import type { ParsedHeader } from './file-format/header.js';
import { parseWholeHeader, rewrapHeader } from './file-format/rewrap-header.js';
import { abortable, openFile, writeAtomically } from './files.js';

/** What rewrapping a file needs of the API: its data key sealed anew, and that sealing opened to check it. */
export interface KeyResealing {
  rewrap(ciphertext: string, context?: EncryptionContext): Promise<SealedValue>;
  decrypt(ciphertext: string, context?: EncryptionContext): Promise<DecryptResult>;
}

export interface RewrapFileOptions {
  /** When given, a file made under any other context is refused before any API call. */
  readonly expectedContext?: EncryptionContext;
  /** Stops the work (the API calls included): the promise rejects with the signal's reason and nothing is written. */
  readonly signal?: AbortSignal;
}

export interface RewrapFileResult {
  readonly keyId: string;
  /** The version the file's data key is sealed under now: the key's current one. */
  readonly keyVersion: number;
  /** The version it was sealed under before. */
  readonly previousKeyVersion: number;
  /** False when the file, rewrapped in place, was at the current version already: then it is left untouched. */
  readonly rewritten: boolean;
}

/**
 * Moves an encrypted file (docs/file-format.md) to its key's current version by its header alone:
 * the API reseals the data key (`rewrap`); the new sealing is opened (`decrypt`, as decrypting the
 * file would: the new header's auth tag needs the data key) to check that it carries the data key
 * the header commits to and that the old header authenticates under it; then the new header is
 * written before the body, whose bytes are copied unchanged. Two API calls, whatever the file's size. The output
 * (the input itself by default) is replaced only once complete and synced.
 */
export async function rewrapFile(keys: KeyResealing, input: string, output = input, options: RewrapFileOptions = {}): Promise<RewrapFileResult> {
  const { signal } = options;
  signal?.throwIfAborted();
  const source = await openFile(input);
  try {
    // An output that cannot be written fails before any API call, as the other file operations do.
    if ((await stat(output).catch(() => undefined))?.isDirectory()) throw isDirectory(output, 'open');
    const parsed = parseWholeHeader(await readStart(source.file, Math.min(source.size, MAX_HEADER_LENGTH)));
    const { header } = parsed;
    const resealed = await resealedFor(keys, parsed, options);
    const result = { keyId: header.keyId, keyVersion: resealed.keyVersion, previousKeyVersion: header.keyVersion };
    if (resealed.keyVersion === header.keyVersion && resolve(output) === resolve(input)) return { ...result, rewritten: false };
    const newHeader = await headerFor(keys, parsed, resealed, signal);
    await writeAtomically(output, async (file, temporary) => {
      if (newHeader.length === parsed.length) {
        // The kernel copies the file (copy_file_range, or shared blocks where the file system can), then the header is written over.
        await copyFile(input, temporary);
        await file.write(newHeader, 0, newHeader.length, 0);
      } else {
        const appender = new FileAppender(file, { depth: 2, writeSize: IO_CHUNK_SIZE, freeWritten: true });
        await appender.append([newHeader]);
        await copyFrom(source.file, parsed.length, appender, signal);
      }
      signal?.throwIfAborted();
      if ((await file.stat()).size !== newHeader.length + source.size - parsed.length)
        throw invalidArgument('The input changed while it was copied.');
      await file.chmod(source.mode & 0o777);
    });
    return { ...result, rewritten: true };
  } finally {
    await source.file.close();
  }
}

/**
 * The header's data key resealed by the API under its key's current version, once the expected
 * context (if any) is checked, before any call; a resealing under another key is `InvalidCiphertext`.
 */
export async function resealedFor(keys: KeyResealing, parsed: ParsedHeader, { expectedContext, signal }: RewrapFileOptions): Promise<SealedValue> {
  const { header } = parsed;
  if (expectedContext && !encodeContext(expectedContext).equals(parsed.encodedContext)) throw contextMismatch();
  const resealed = await abortable(keys.rewrap(header.encryptedKey, header.context), signal, () => undefined);
  if (resealed.keyId !== header.keyId) throw invalidCiphertext();
  return resealed;
}

/** The new header, once the new sealing has opened to a data key that opens the old header. */
export async function headerFor(keys: KeyResealing, parsed: ParsedHeader, resealed: SealedValue, signal: AbortSignal | undefined): Promise<Buffer> {
  const opened = await abortable(keys.decrypt(resealed.ciphertext, parsed.header.context), signal, (late) => late.plaintext.fill(0));
  try {
    if (opened.keyId !== resealed.keyId || opened.keyVersion !== resealed.keyVersion) throw invalidCiphertext();
    const header = rewrapHeader(parsed, opened.plaintext, {
      encryptedKey: resealed.ciphertext,
      keyId: resealed.keyId,
      keyVersion: resealed.keyVersion,
    });
    // What a reader will do with it: parse it whole and authenticate it with the data key.
    verifiedMessageKeys(opened.plaintext, parseWholeHeader(header));
    return header;
  } finally {
    opened.plaintext.fill(0);
  }
}

async function readStart(file: FileHandle, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await file.read(buffer, filled, length - filled, filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

/** Appends the file's bytes from `start` to its end, a chunk at a time. */
async function copyFrom(file: FileHandle, start: number, output: FileAppender, signal: AbortSignal | undefined): Promise<void> {
  for (let position = start; ; ) {
    signal?.throwIfAborted();
    const chunk = Buffer.allocUnsafeSlow(IO_CHUNK_SIZE);
    const { bytesRead } = await file.read(chunk, 0, chunk.length, position);
    if (bytesRead === 0) break;
    await output.append([chunk.subarray(0, bytesRead)]);
    position += bytesRead;
  }
  await output.flush();
}

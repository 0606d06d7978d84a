import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Transform, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { EncryptionContext } from '../../../contract/index.js';
import type { EnvelopeClient } from './client.js';
import { invalidCiphertext } from './file-format/errors.js';
import { createDecryptStream, createEncryptStream } from './file-format/index.js';

export interface EncryptStreamOptions {
  /** The data key's key id or `alias/<name>`. */
  readonly keyId: string;
  readonly context?: EncryptionContext;
  /** Plaintext bytes per frame. @default 64 KiB */
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
}

/**
 * A stream that encrypts into the file format under a fresh data key: one API call (the data key),
 * whose plaintext copy is wiped once the stream has derived its own key from it.
 */
export async function encryptingStream(client: EnvelopeClient, { keyId, context, frameSize }: EncryptStreamOptions): Promise<Transform> {
  const dataKey = await client.generateDataKey(keyId, context);
  const plaintextKey = dataKey.plaintextKey!;
  try {
    return createEncryptStream({
      dataKey: plaintextKey,
      encryptedKey: dataKey.encryptedKey,
      keyId: dataKey.keyId,
      keyVersion: dataKey.keyVersion,
      context,
      frameSize,
    });
  } finally {
    plaintextKey.fill(0);
  }
}

/**
 * A stream that decrypts the file format: one API call, to decrypt the data key the header carries.
 * The header's key id and version must be those the API reports the data key under: a header that
 * names another key (to mislead whoever reads it) is refused as `InvalidCiphertext`.
 */
export function decryptingStream(client: EnvelopeClient, { expectedContext }: DecryptStreamOptions = {}): Transform {
  return createDecryptStream({
    expectedContext,
    unwrapKey: async ({ encryptedKey, keyId, keyVersion, context }) => {
      const opened = await client.decrypt(encryptedKey, context);
      if (opened.keyId !== keyId || opened.keyVersion !== keyVersion) {
        opened.plaintext.fill(0);
        throw invalidCiphertext();
      }
      return opened.plaintext;
    },
  });
}

/** Encrypts a file (or stream) into another; the output appears only once complete. */
export async function encryptFile(
  client: EnvelopeClient,
  input: string | Readable,
  output: string | Writable,
  options: EncryptStreamOptions & FileOptions,
): Promise<void> {
  const total = typeof input === 'string' ? (await stat(input)).size : undefined;
  const stages = [source(input), progress(options.onProgress, total), await encryptingStream(client, options)];
  await writeAtomically(stages, output);
}

/**
 * Decrypts a file (or stream) into another. Frames are verified one by one, so a file written to
 * disk is written to a temporary name and renamed only once the last frame has verified: a failed
 * decryption leaves no plaintext behind. A stream output receives verified frames as they come,
 * and must be discarded if this rejects.
 */
export async function decryptFile(
  client: EnvelopeClient,
  input: string | Readable,
  output: string | Writable,
  options: DecryptStreamOptions & FileOptions = {},
): Promise<void> {
  const total = typeof input === 'string' ? (await stat(input)).size : undefined;
  const stages = [source(input), progress(options.onProgress, total), decryptingStream(client, options)];
  await writeAtomically(stages, output);
}

const source = (input: string | Readable): Readable => (typeof input === 'string' ? createReadStream(input, { highWaterMark: 1024 * 1024 }) : input);

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

async function writeAtomically(stages: (Readable | Transform)[], output: string | Writable): Promise<void> {
  if (typeof output !== 'string') {
    await pipeline([...stages, output]);
    return;
  }
  const temporary = join(dirname(output), `.${basename(output)}.${randomBytes(6).toString('hex')}.partial`);
  try {
    await pipeline([...stages, createWriteStream(temporary, { mode: 0o600 })]);
    await rename(temporary, output);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

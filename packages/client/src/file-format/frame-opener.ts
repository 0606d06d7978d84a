import { ByteQueue } from './byte-queue.js';
import { DATA_KEY_LENGTH } from './constants.js';
import { encodeContext, type EncryptionContext } from './context.js';
import { contextMismatch, FileFormatError, invalidArgument, invalidCiphertext, keyUnwrapFailed } from './errors.js';
import { FrameReader } from './frame-reader.js';
import { FrameCiphers } from './frames.js';
import type { FileHeader, ParsedHeader } from './header.js';
import { HeaderReader } from './header-reader.js';
import { verifiedMessageKeys } from './message-keys.js';

/** What `unwrapKey` gets from the (not yet authenticated) header to find and unwrap the data key. */
export interface KeyUnwrapRequest {
  readonly encryptedKey: string;
  readonly keyId: string;
  readonly keyVersion: number;
  readonly context: EncryptionContext;
}

export interface DecryptStreamOptions {
  /**
   * Returns the 32-byte data key for the request, e.g. by asking the service to decrypt
   * `encryptedKey` under `context`. The decryptor takes ownership of the returned buffer and zeroes
   * it once the message key is derived: return a copy of any key you keep.
   */
  readonly unwrapKey: (request: KeyUnwrapRequest) => Promise<Uint8Array>;
  /** When given, a file whose context is any other fails with `ContextMismatch`, before `unwrapKey` is called. */
  readonly expectedContext?: EncryptionContext;
}

/**
 * Decrypts the file format (docs/file-format.md) as it comes, in pieces of any size, with no stream
 * or I/O of its own: the decrypt stream and the file reader both drive it (the counterpart of
 * `FrameSealer`). Each call releases the plaintext of the frames it verified, in order, as it goes;
 * a frame's plaintext is released only once its tag verified, and those before a frame that fails
 * to verify have been released when the call fails.
 *
 * Input chunks are held by reference, not copied: a chunk must stay unchanged until the call after
 * the one that takes the next chunk has returned (what is kept between calls is a frame header or
 * tag split across chunks; a frame's ciphertext is deciphered as it comes).
 */
export class FrameOpener {
  readonly #unwrapKey: DecryptStreamOptions['unwrapKey'];
  readonly #expectedContext: Buffer | undefined;
  readonly #input = new ByteQueue();
  readonly #header = new HeaderReader();
  #frames: FrameReader | undefined;
  #frameSize: number | undefined;
  #released = false;

  constructor({ unwrapKey, expectedContext }: DecryptStreamOptions) {
    if (typeof unwrapKey !== 'function') throw invalidArgument('unwrapKey must be a function.');
    this.#unwrapKey = unwrapKey;
    this.#expectedContext = expectedContext && encodeContext(expectedContext);
  }

  /** The frame size the header declares, once it has been read. */
  get frameSize(): number | undefined {
    return this.#frameSize;
  }

  /**
   * Passes the verified plaintext of the chunk (with what earlier ones left incomplete) to `release`,
   * in order. Returns a promise only for the chunk that completes the header (the key is unwrapped
   * then); every other chunk is read synchronously, and a failure is thrown, so that a stream does
   * not wait a microtask per chunk.
   */
  update(chunk: Buffer, release: (plaintext: Buffer) => void): Promise<void> | undefined {
    this.#input.append(chunk);
    if (this.#frames) {
      this.#frames.read(this.#input, release);
      return undefined;
    }
    const header = this.#header.read(this.#input);
    if (!header) return undefined;
    this.#frameSize = header.header.frameSize;
    return this.#openBody(header).then(() => this.#frames?.read(this.#input, release));
  }

  /** Fails unless the final frame has verified (the input was cut short); then forgets the key. */
  final(): void {
    const complete = this.#frames?.finished === true;
    this.release();
    if (!complete) throw invalidCiphertext();
  }

  /** Forgets the key; the opener cannot be used again (a pending `update` ends without opening frames). */
  release(): void {
    this.#released = true;
    this.#frames?.discard();
    this.#frames = undefined;
  }

  /** Context check, key unwrap, key commitment, header auth tag: only then are frames read. */
  async #openBody(parsed: ParsedHeader): Promise<void> {
    const { header, encodedContext } = parsed;
    if (this.#expectedContext && !this.#expectedContext.equals(encodedContext)) throw contextMismatch();
    const dataKey = await this.#unwrap(header);
    try {
      if (this.#released) return;
      const keys = verifiedMessageKeys(dataKey, parsed);
      this.#frames = new FrameReader(new FrameCiphers(keys.encryptionKey, header.messageId), header.frameSize);
    } finally {
      dataKey.fill(0);
    }
  }

  async #unwrap({ encryptedKey, keyId, keyVersion, context }: FileHeader): Promise<Uint8Array> {
    let dataKey: unknown;
    try {
      dataKey = await this.#unwrapKey({ encryptedKey, keyId, keyVersion, context });
    } catch (cause) {
      // The unwrapper's own verdict that the file is not valid (its header names another key than the data key's) stands as it is.
      if (cause instanceof FileFormatError && cause.code === 'InvalidCiphertext') throw cause;
      throw keyUnwrapFailed({ cause });
    }
    if (dataKey instanceof Uint8Array && dataKey.length === DATA_KEY_LENGTH) return dataKey;
    if (dataKey instanceof Uint8Array) dataKey.fill(0);
    throw keyUnwrapFailed();
  }
}

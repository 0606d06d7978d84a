import { Transform, type TransformCallback } from 'node:stream';
import { ByteQueue } from './byte-queue.js';
import { DATA_KEY_LENGTH } from './constants.js';
import { encodeContext, type EncryptionContext } from './context.js';
import { contextMismatch, FileFormatError, invalidArgument, invalidCiphertext, keyUnwrapFailed } from './errors.js';
import { FrameReader } from './frame-reader.js';
import { FrameCiphers } from './frames.js';
import type { FileHeader, ParsedHeader } from './header.js';
import { HeaderReader } from './header-reader.js';
import { commitmentMatches, deriveMessageKeys, headerAuthTagMatches } from './message-keys.js';

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
   * `encryptedKey` under `context`. The stream takes ownership of the returned buffer and zeroes it
   * once the message key is derived: return a copy of any key you keep.
   */
  readonly unwrapKey: (request: KeyUnwrapRequest) => Promise<Uint8Array>;
  /** When given, a file whose context is any other fails with `ContextMismatch`, before `unwrapKey` is called. */
  readonly expectedContext?: EncryptionContext;
}

/**
 * A Transform from the encrypted file format to plaintext. Each frame's plaintext is pushed only
 * after its tag verified, one frame at a time: when decryption fails, the consumer may already hold
 * the verified frames before the failure and must discard its output.
 */
export function createDecryptStream(options: DecryptStreamOptions): Transform {
  return new DecryptStream(options);
}

class DecryptStream extends Transform {
  readonly #unwrapKey: DecryptStreamOptions['unwrapKey'];
  readonly #expectedContext: Buffer | undefined;
  readonly #input = new ByteQueue();
  readonly #header = new HeaderReader();
  #frames: FrameReader | undefined;

  constructor({ unwrapKey, expectedContext }: DecryptStreamOptions) {
    super();
    if (typeof unwrapKey !== 'function') throw invalidArgument('unwrapKey must be a function.');
    this.#unwrapKey = unwrapKey;
    this.#expectedContext = expectedContext && encodeContext(expectedContext);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#input.append(chunk);
    if (this.#frames) {
      this.#readFrames(callback);
      return;
    }
    let header: ParsedHeader | undefined;
    try {
      header = this.#header.read(this.#input);
    } catch (error) {
      callback(error as Error);
      return;
    }
    if (!header) {
      callback();
      return;
    }
    this.#openBody(header).then(() => this.#readFrames(callback), callback);
  }

  override _flush(callback: TransformCallback): void {
    const complete = this.#frames?.finished === true;
    this.#release();
    callback(complete ? null : invalidCiphertext());
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#release();
    callback(error);
  }

  #readFrames(callback: TransformCallback): void {
    try {
      this.#frames?.read(this.#input, (plaintext) => this.push(plaintext));
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  /** Context check, key unwrap, key commitment, header auth tag: only then are frames read. */
  async #openBody({ header, encodedContext, commitment, authenticatedBytes, authTag }: ParsedHeader): Promise<void> {
    if (this.#expectedContext && !this.#expectedContext.equals(encodedContext)) throw contextMismatch();
    const dataKey = await this.#unwrap(header);
    try {
      if (this.destroyed) return;
      const keys = deriveMessageKeys(dataKey, header.messageId);
      if (!commitmentMatches(keys.commitment, commitment) || !headerAuthTagMatches(keys.encryptionKey, authenticatedBytes, authTag)) {
        throw invalidCiphertext();
      }
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

  #release(): void {
    this.#frames = undefined;
  }
}

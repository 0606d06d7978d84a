/**
 * What went wrong, never how: messages name no offsets, tags, frames or key bytes, so that an
 * error reaching a log or a client tells an attacker nothing about which check failed.
 */
export type FileFormatErrorCode =
  /** The caller's options cannot produce a valid file (bad key length, frame size, context…). */
  | 'InvalidArgument'
  /** The bytes are not a file that this data key produced, or they were changed, cut or extended. */
  | 'InvalidCiphertext'
  /** The header's encryption context is not the one the caller expects. */
  | 'ContextMismatch'
  /** The caller's `unwrapKey` failed or did not return a 32-byte key. */
  | 'KeyUnwrapFailed'
  /** The plaintext needs more frames than the format allows (2^32 - 1). */
  | 'LimitExceeded';

export class FileFormatError extends Error {
  override readonly name = 'FileFormatError';

  constructor(
    readonly code: FileFormatErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export const invalidArgument = (message: string) => new FileFormatError('InvalidArgument', message);

export const invalidCiphertext = () =>
  new FileFormatError('InvalidCiphertext', 'The data is not a valid encrypted file for this key, or it was modified.');

export const contextMismatch = () => new FileFormatError('ContextMismatch', 'The encryption context of the file is not the expected one.');

export const keyUnwrapFailed = (options?: ErrorOptions) =>
  new FileFormatError('KeyUnwrapFailed', 'The data key of the file could not be unwrapped.', options);

export const limitExceeded = () => new FileFormatError('LimitExceeded', 'The plaintext is too large for one encrypted file at this frame size.');

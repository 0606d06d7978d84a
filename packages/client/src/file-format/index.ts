/**
 * The encrypted file format: envelope-encrypted, framed AES-256-GCM for data of any size, adapted
 * from the AWS Encryption SDK message format. Specification: docs/file-format.md.
 */
export { createEncryptStream, type EncryptStreamOptions } from './encrypt-stream.js';
export { createDecryptStream, type DecryptStreamOptions, type KeyUnwrapRequest } from './decrypt-stream.js';
export { readHeader } from './header-reader.js';
export { parseWholeHeader, type ResealedKey, rewrapHeader } from './rewrap-header.js';
export type { FileHeader } from './header.js';
export type { EncryptionContext } from './context.js';
export { FileFormatError, type FileFormatErrorCode } from './errors.js';
export { DEFAULT_FRAME_SIZE, MAX_FRAME_SIZE, MIN_FRAME_SIZE } from './constants.js';

/** The Envelope API's typed client, its file format and streaming helpers. */
export {
  EnvelopeClient,
  type Answered,
  type CiphertextInput,
  type EnvelopeClientOptions,
  type PlaintextInput,
  type RequestOptions,
  type SealedResult,
} from './client.js';
export type { DecryptResult, GeneratedDataKey } from './data-keys.js';
export { ConfigurationError, EnvelopeApiError, InvalidResponseError, NetworkError } from './errors.js';
export type {
  DecryptStreamOptions as FileDecryptOptions,
  EncryptStreamOptions as FileEncryptOptions,
  FileOptions,
  ProgressCallback,
} from './files.js';
export type { RetryPolicy } from './retry.js';
export type { KeyResealing, RewrapFileOptions, RewrapFileResult } from './rewrap-file.js';
export type { RewrapS3Options, RewrapS3Result, S3Object } from './rewrap-s3.js';
export type { ObjectOutcome, RewrapS3PrefixOptions, RewrapS3PrefixReport, S3Prefix } from './rewrap-s3-prefix.js';
export type {
  BatchItemResult,
  DependencyHealth,
  DependencyStatus,
  EncryptionContext,
  ErrorCode,
  KeyMetadata,
  KeyPage,
  KeyPolicy,
  KeySummary,
  KeyVersionInfo,
  KeyVersionState,
  MasterKeyStatus,
  RotatedKey,
  Tags,
  VersionDestruction,
  CreateGrantRequest,
  Grant,
  GrantConstraints,
  GrantOperation,
  GrantPage,
} from '../../../contract/index.js';
export * from './file-format/index.js';

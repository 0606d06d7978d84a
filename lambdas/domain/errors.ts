import { ERROR_STATUS, type ErrorCode } from '../../contract/index.js';

/**
 * An error whose code and message are safe to show the caller. Anything else that escapes the
 * domain is a bug and surfaces as a generic 500 without detail. One translated from a dependency's
 * failure keeps that failure as its `cause`, for the operator's log (never for the caller).
 */
export class ServiceError extends Error {
  override readonly name = 'ServiceError';
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly retryAfterSeconds?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.status = ERROR_STATUS[code];
  }
}

/** The one message for every ciphertext that cannot be opened, so failures reveal nothing. */
export const invalidCiphertext = (): ServiceError =>
  new ServiceError('InvalidCiphertext', 'The ciphertext is malformed, was modified, or the context does not match.');

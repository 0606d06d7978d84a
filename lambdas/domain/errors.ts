/** The error codes of the API contract, with the HTTP status each one maps to. */
export const ERROR_STATUS = {
  ValidationError: 400,
  InvalidCiphertext: 400,
  AccessDenied: 403,
  KeyNotFound: 404,
  NotFound: 404,
  MethodNotAllowed: 405,
  AlreadyExists: 409,
  KeyDisabled: 409,
  KeyPendingDeletion: 409,
  MasterKeyDisabled: 409,
  MasterKeyPendingDeletion: 409,
  InvalidKeyState: 409,
  Conflict: 409,
  LimitExceeded: 409,
  PayloadTooLarge: 413,
  Throttled: 429,
  InternalError: 500,
  DependencyUnavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/**
 * An error whose code and message are safe to show the caller. Anything else that escapes the
 * domain is a bug and surfaces as a generic 500 without detail.
 */
export class ServiceError extends Error {
  override readonly name = 'ServiceError';
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.status = ERROR_STATUS[code];
  }
}

/** The one message for every ciphertext that cannot be opened, so failures reveal nothing. */
export const invalidCiphertext = (): ServiceError =>
  new ServiceError('InvalidCiphertext', 'The ciphertext is malformed, was modified, or the context does not match.');

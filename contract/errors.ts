import { MAX_PLAINTEXT_BYTES } from './limits.js';

/** The error codes of the API, with the HTTP status each one answers. */
export const ERROR_STATUS = {
  ValidationError: 400,
  InvalidCiphertext: 400,
  AccessDenied: 403,
  KeyNotFound: 404,
  GrantNotFound: 404,
  NotFound: 404,
  AlreadyExists: 409,
  KeyDisabled: 409,
  KeyPendingDeletion: 409,
  MasterKeyDisabled: 409,
  MasterKeyPendingDeletion: 409,
  MasterKeyPendingImport: 409,
  InvalidKeyState: 409,
  KeyVersionRetired: 409,
  Conflict: 409,
  LimitExceeded: 409,
  PayloadTooLarge: 413,
  Throttled: 429,
  InternalError: 500,
  DependencyUnavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** Every error answer's body. */
export interface ErrorBody {
  readonly error: { readonly code: ErrorCode; readonly message: string };
}

/** The hint every 413 gives, whoever answers it. */
export const PAYLOAD_LIMIT_HINT = `Plaintexts are limited to ${MAX_PLAINTEXT_BYTES / 1024 / 1024} MiB per request; split larger data.`;

export interface GatewayError {
  readonly code: ErrorCode;
  /**
   * A fixed message, or `apiGatewayMessage`: API Gateway's own wording (`$context.error.messageString`,
   * see gateway-response-template.ts).
   */
  readonly message: string;
  readonly retryAfterSeconds?: number;
}

/**
 * The errors API Gateway answers itself, by its gateway response type, in the API's error shape.
 * It answers a request for a resource or method that does not exist as MISSING_AUTHENTICATION_TOKEN.
 */
export const GATEWAY_ERRORS = {
  BAD_REQUEST_BODY: { code: 'ValidationError', message: 'apiGatewayMessage' },
  BAD_REQUEST_PARAMETERS: { code: 'ValidationError', message: 'apiGatewayMessage' },
  ACCESS_DENIED: { code: 'AccessDenied', message: 'apiGatewayMessage' },
  INVALID_SIGNATURE: { code: 'AccessDenied', message: 'apiGatewayMessage' },
  MISSING_AUTHENTICATION_TOKEN: { code: 'AccessDenied', message: 'Missing or unknown route, or unsigned request.' },
  EXPIRED_TOKEN: { code: 'AccessDenied', message: 'apiGatewayMessage' },
  REQUEST_TOO_LARGE: { code: 'PayloadTooLarge', message: `The request is too large. ${PAYLOAD_LIMIT_HINT}` },
  THROTTLED: { code: 'Throttled', message: 'Too many requests; retry after a short wait.', retryAfterSeconds: 1 },
} as const satisfies Record<string, GatewayError>;

export type GatewayResponseType = keyof typeof GATEWAY_ERRORS;

/** An error as AWS KMS sends it: the exception name goes to `__type` and `x-amzn-ErrorType`. */
export class KmsError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export const validation = (message: string) => new KmsError('ValidationException', message);
export const notFound = (message: string) => new KmsError('NotFoundException', message);

/**
 * The HTTP status KMS answers an error with: 400 for every client error, its own exceptions and
 * AccessDeniedException alike; 403 for the common authentication errors AWS documents as 403.
 */
export function statusOf(type: string): number {
  if (type === 'KMSInternalException' || type === 'KeyUnavailableException') return 500;
  if (type === 'DependencyTimeoutException') return 503;
  return FORBIDDEN.has(type) ? 403 : 400;
}

const FORBIDDEN = new Set([
  'MissingAuthenticationToken',
  'MissingAuthenticationTokenException',
  'InvalidClientTokenId',
  'OptInRequired',
  'ExpiredTokenException',
]);

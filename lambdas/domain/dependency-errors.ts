import { ServiceError } from './errors.js';

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'TooManyRequestsException',
]);

/** The dependency refuses the service itself: a deployment fault the caller cannot fix, so an outage to them. */
const REFUSED = new Set(['AccessDeniedException', 'UnrecognizedClientException', 'InvalidSignatureException', 'ExpiredTokenException']);

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

interface SdkErrorShape {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

/**
 * Maps what the AWS SDK throws once its own retries are spent: throttling becomes 429, an
 * unreachable or failing dependency 503. Anything else is returned unchanged for the caller to
 * decide on (or to surface as a bug).
 */
export function translateDependencyError(error: unknown, dependency: string): unknown {
  if (error instanceof ServiceError || typeof error !== 'object' || error === null) return error;
  const { name = '', code = '', $metadata } = error as SdkErrorShape;
  if (THROTTLING.has(name)) {
    return new ServiceError('Throttled', `${dependency} is throttling requests; retry after a short wait.`, 1);
  }
  const status = $metadata?.httpStatusCode ?? 0;
  if (status >= 500 || REFUSED.has(name) || NETWORK_CODES.has(code) || name === 'TimeoutError' || name === 'AbortError') {
    return new ServiceError('DependencyUnavailable', `${dependency} is unavailable; retry later.`, 2);
  }
  return error;
}

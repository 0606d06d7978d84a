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

/** What the AWS SDK (and Node's network errors beneath it) put on a failure, besides its message. */
interface SdkErrorShape {
  name?: string;
  /** A Node system error's code (ECONNRESET); some AWS protocols set `Code` instead. */
  code?: string;
  Code?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string; extendedRequestId?: string; attempts?: number };
  cause?: unknown;
}

/**
 * Maps what the AWS SDK throws once its own retries are spent: throttling becomes 429, an
 * unreachable or failing dependency 503, each keeping the SDK's error as its cause. Anything else
 * is returned unchanged for the caller to decide on (or to surface as a bug).
 */
export function translateDependencyError(error: unknown, dependency: string): unknown {
  if (error instanceof ServiceError || typeof error !== 'object' || error === null) return error;
  const { name = '', code = '', $metadata } = error as SdkErrorShape;
  if (THROTTLING.has(name)) {
    return new ServiceError('Throttled', `${dependency} is throttling requests; retry after a short wait.`, 1, { cause: error });
  }
  const status = $metadata?.httpStatusCode ?? 0;
  if (status >= 500 || REFUSED.has(name) || NETWORK_CODES.has(code) || name === 'TimeoutError' || name === 'AbortError') {
    return new ServiceError('DependencyUnavailable', `${dependency} is unavailable; retry later.`, 2, { cause: error });
  }
  return error;
}

/**
 * What a failure says about itself, for an operator to tell one from another (a KMS
 * AccessDeniedException from a timeout) and to find the call in CloudTrail or with AWS Support by
 * its request id. Never the message: one may quote what a request carried.
 */
export interface FailureFacts {
  readonly name: string;
  /** The error code: `Code` or a Node system error's `code` where set, else the name (the SDK names exceptions by code). */
  readonly code: string;
  /** `client` or `server`, as the SDK classifies an AWS answer. */
  readonly fault?: string;
  readonly httpStatusCode?: number;
  readonly requestId?: string;
  readonly extendedRequestId?: string;
  readonly attempts?: number;
  /** What the failure was caused by in turn (an idempotency store's DynamoDB error). */
  readonly cause?: FailureFacts;
}

/** How many causes deep the facts go: enough for a wrapped SDK error, and an end to a cycle. */
const MAX_CAUSE_DEPTH = 3;

/** The facts of a failure and of its causes; undefined for none (or a thrown value that is no object). */
export function failureFacts(error: unknown, depth = 1): FailureFacts | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { name = 'Error', code, Code, $fault, $metadata = {}, cause } = error as SdkErrorShape;
  const { httpStatusCode, requestId, extendedRequestId, attempts } = $metadata;
  const inner = depth < MAX_CAUSE_DEPTH ? failureFacts(cause, depth + 1) : undefined;
  return withoutUndefined({ name, code: Code ?? code ?? name, fault: $fault, httpStatusCode, requestId, extendedRequestId, attempts, cause: inner });
}

const withoutUndefined = <T extends object>(facts: T): T => Object.fromEntries(Object.entries(facts).filter(([, value]) => value !== undefined)) as T;

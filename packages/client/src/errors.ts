import type { IncomingHttpHeaders } from 'node:http';
import type { ErrorBody, ErrorCode } from '../../../contract/index.js';

/** The API's `{"error": {code, message}}` answer, thrown with its HTTP status. */
export class EnvelopeApiError extends Error {
  override readonly name = 'EnvelopeApiError';
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }

  /** Throttled (429) or unavailable (503): the same request may succeed later. */
  get retryable(): boolean {
    return this.status === 429 || this.status === 503;
  }
}

/** An error answer as an EnvelopeApiError; anything but the contract's shape (a proxy's page, say) is the service failing. */
export function toApiError(status: number, headers: IncomingHttpHeaders, json: unknown): EnvelopeApiError {
  const error = (json as Partial<ErrorBody> | undefined)?.error;
  const retryAfter = headers['retry-after'];
  const seconds = retryAfter === undefined ? Number.NaN : Number(retryAfter);
  return new EnvelopeApiError(
    status,
    error?.code ?? 'InternalError',
    error?.message ?? `HTTP ${status}`,
    Number.isFinite(seconds) ? seconds : undefined,
  );
}

/**
 * A 2xx answer whose body is not what the contract says (a proxy's page, another service at the
 * endpoint): named as such, rather than failing later on a missing field.
 */
export class InvalidResponseError extends Error {
  override readonly name = 'InvalidResponseError';
  readonly code = 'InvalidResponse';
  constructor(what: string) {
    super(`The API's answer is not valid: ${what}. Is the endpoint the Envelope API?`);
  }
}

/**
 * No answer came back: the API could not be reached (`phase: 'request'`), or its answer was cut off
 * (`phase: 'answer'`). The socket's error is the cause. A change's outcome is then unknown; the
 * client sends one `Idempotency-Key` across its own retries, so retrying with it is safe.
 */
export class NetworkError extends Error {
  override readonly name = 'NetworkError';
  readonly code = 'NetworkError';
  constructor(
    readonly phase: 'request' | 'answer',
    cause: unknown,
  ) {
    const reason = (cause as { code?: unknown; message?: unknown } | undefined)?.code ?? (cause as Error | undefined)?.message ?? 'connection failed';
    super(phase === 'request' ? `The API could not be reached (${String(reason)}).` : `The API's answer was cut off (${String(reason)}).`, { cause });
  }
}

/** No endpoint or region, given or in the environment, or an endpoint that is not a URL: nothing was sent. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

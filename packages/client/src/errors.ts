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
export function toApiError(status: number, headers: Headers, json: unknown): EnvelopeApiError {
  const error = (json as Partial<ErrorBody> | undefined)?.error;
  const retryAfter = headers.get('retry-after');
  const seconds = retryAfter === null ? Number.NaN : Number(retryAfter);
  return new EnvelopeApiError(
    status,
    error?.code ?? 'InternalError',
    error?.message ?? `HTTP ${status}`,
    Number.isFinite(seconds) ? seconds : undefined,
  );
}

import type { APIGatewayProxyResult } from 'aws-lambda';
import { ServiceError } from '../domain/errors.js';
import { jsonResponse } from './responses.js';

/** Maps anything a handler throws to the contract's `{"error": {code, message}}` shape. */
export function errorResponse(error: unknown, log: (message: string, error: unknown) => void): APIGatewayProxyResult {
  const mapped = toServiceError(error);
  if (!mapped) {
    log('Unhandled error', error);
    return jsonResponse(500, { error: { code: 'InternalError', message: 'Internal error.' } });
  }
  const headers: Record<string, string> = mapped.retryAfterSeconds === undefined ? {} : { 'retry-after': String(mapped.retryAfterSeconds) };
  return jsonResponse(mapped.status, { error: { code: mapped.code, message: mapped.message } }, headers);
}

function toServiceError(error: unknown): ServiceError | undefined {
  if (error instanceof ServiceError) return error;
  // Middy's body parser signals a malformed body with an HTTP error (422/415).
  const status = (error as { statusCode?: number } | undefined)?.statusCode;
  if (status === 422 || status === 415) return new ServiceError('ValidationError', 'The request body is not valid JSON.');
  return undefined;
}

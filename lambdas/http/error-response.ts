import type { APIGatewayProxyResult } from 'aws-lambda';
import { failureFacts } from '../domain/dependency-errors.js';
import { ServiceError } from '../domain/errors.js';
import { jsonResponse } from './responses.js';

/** Where errors are logged; Powertools' `logger.error` takes an error or attributes to add to the line. */
export type ErrorLog = (message: string, detail: Error | Readonly<Record<string, unknown>>) => void;

/**
 * Maps anything a handler throws to the contract's `{"error": {code, message}}` shape. A 5xx is
 * logged: an unexpected error whole, a mapped one with the facts of its cause (see failureFacts).
 */
export function errorResponse(error: unknown, log: ErrorLog): APIGatewayProxyResult {
  const mapped = toServiceError(error);
  if (!mapped) {
    log('Unhandled error', error instanceof Error ? error : { thrown: typeof error });
    return jsonResponse(500, { error: { code: 'InternalError', message: 'Internal error.' } });
  }
  if (mapped.status >= 500) log('Request failed with a server error', serverErrorDetail(mapped));
  const headers: Record<string, string> = mapped.retryAfterSeconds === undefined ? {} : { 'retry-after': String(mapped.retryAfterSeconds) };
  return jsonResponse(mapped.status, { error: { code: mapped.code, message: mapped.message } }, headers);
}

/** The answer, which the caller saw too, and what caused it, which only the log shows. */
function serverErrorDetail({ status, code, message, cause }: ServiceError): Readonly<Record<string, unknown>> {
  const facts = failureFacts(cause);
  return { statusCode: status, errorCode: code, errorMessage: message, ...(facts && { cause: facts }) };
}

function toServiceError(error: unknown): ServiceError | undefined {
  if (error instanceof ServiceError) return error;
  // Middy's body parser signals a malformed body with an HTTP error (422/415).
  const status = (error as { statusCode?: number } | undefined)?.statusCode;
  if (status === 422 || status === 415)
    return new ServiceError('ValidationError', 'The request body is not valid JSON.', undefined, { cause: error });
  return undefined;
}

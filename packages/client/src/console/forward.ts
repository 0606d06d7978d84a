import type { IncomingMessage, ServerResponse } from 'node:http';
import { IDEMPOTENCY_HEADER, MAX_REQUEST_BYTES, PAYLOAD_LIMIT_HINT } from '../../../../contract/index.js';
import type { Answered, EnvelopeClient } from '../client.js';
import { EnvelopeApiError } from '../errors.js';
import { readBody } from './body.js';
import { sendError, sendJson } from './headers.js';
import { apiRoute } from './routes.js';
import { noCredentials } from '../cli/errors.js';

/** The console's calls to the API go under this prefix, e.g. `GET /api/v1/keys`. */
export const API_PREFIX = '/api/';

export interface Forwarder {
  readonly client: EnvelopeClient;
  /** How long the API may take to answer before the browser is told it is unavailable. */
  readonly timeoutMs: number;
}

/**
 * Sends one of the contract's routes to the API, signed by the client with the user's credentials,
 * and answers the API's status and JSON body. The browser never sees the credentials or the
 * signature; any other path is 404, so that the server is no open proxy.
 */
export async function forward({ client, timeoutMs }: Forwarder, request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
  const method = request.method ?? 'GET';
  const path = url.pathname.slice(API_PREFIX.length);
  if (!apiRoute(method, path)) return sendError(response, 404, 'NotFound', `${method} ${url.pathname} is not a route of the API.`);
  const body = await readBody(request, MAX_REQUEST_BYTES);
  if ('tooLarge' in body)
    return sendError(response, 413, 'PayloadTooLarge', `The request is too large. ${PAYLOAD_LIMIT_HINT}`, { connection: 'close' });
  // The API's GET and DELETE routes take no body, and the API ignores one sent with them: so does this.
  const json = TAKES_NO_BODY.has(method) ? undefined : parseBody(body.bytes);
  if (json === INVALID) return sendError(response, 400, 'ValidationError', 'The request body is not JSON.');
  const idempotencyKey = request.headers[IDEMPOTENCY_HEADER];
  const answer = client.respond<unknown>(method, path, json, Object.fromEntries(url.searchParams), {
    idempotencyKey: typeof idempotencyKey === 'string' ? idempotencyKey : undefined,
  });
  await withTimeout(answer, timeoutMs).then(
    (result) => (result === TIMED_OUT ? unavailable(response, lateMessage(method, timeoutMs)) : succeeded(response, result)),
    (error: unknown) => failed(response, error),
  );
}

/**
 * The call goes on after the browser is told, as an API Gateway integration does after its own
 * timeout: a change may yet be made, so the user is told to look before trying again.
 */
function lateMessage(method: string, timeoutMs: number): string {
  const late = `The API did not answer within ${timeoutMs / 1000} s.`;
  return method === 'GET' ? late : `${late} The change may still be made: reload to see whether it was before trying again.`;
}

const INVALID = Symbol('invalid');
const TAKES_NO_BODY = new Set(['GET', 'HEAD', 'DELETE']);
const TIMED_OUT = Symbol('timed out');

function parseBody(bytes: Buffer): unknown {
  if (bytes.length === 0) return undefined;
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return INVALID;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(resolve, ms, TIMED_OUT)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const succeeded = (response: ServerResponse, { status, body }: Answered<unknown>) => sendJson(response, status, body);

function failed(response: ServerResponse, error: unknown) {
  // None at the start, or expired since (an SSO session's): the user's to fix, not an outage.
  if ((error as { name?: unknown } | undefined)?.name === 'CredentialsProviderError') {
    return sendError(response, 403, 'AccessDenied', `The console cannot sign the call. ${noCredentials(process.env.AWS_PROFILE)}`);
  }
  if (!(error instanceof EnvelopeApiError)) return unavailable(response, 'The API could not be reached.');
  const retryAfter: Record<string, string> = error.retryAfterSeconds === undefined ? {} : { 'retry-after': String(error.retryAfterSeconds) };
  sendError(response, error.status, error.code, error.message, retryAfter);
}

const unavailable = (response: ServerResponse, message: string) => sendError(response, 503, 'DependencyUnavailable', message);

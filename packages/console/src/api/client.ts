import { IDENTITY_HEADER, PAGE_KEY_HEADER } from '../../../client/src/console/protocol.js';
import { pageKey } from './page-key.js';

/** An error the API (or the console's server) answered, with the API's own code and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let identity: string | undefined;

/** The local identity every later call is signed as (`npm start` only). */
export function signAs(name: string | undefined): void {
  identity = name;
}

export type Query = Readonly<Record<string, string | number | undefined>>;

export interface CallOptions {
  readonly body?: unknown;
  readonly query?: Query;
  readonly signal?: AbortSignal;
}

/** One of the API's routes, through the console's server, which signs it with the user's credentials. */
export function api<T>(method: string, path: string, options: CallOptions = {}): Promise<T> {
  return call<T>(method, `/api${path}`, options);
}

/** One of the console server's own routes (`/console/...`). */
export function consoleCall<T>(path: string, options: CallOptions = {}): Promise<T> {
  return call<T>('GET', `/console${path}`, options);
}

async function call<T>(method: string, path: string, { body, query, signal }: CallOptions): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (identity !== undefined) headers[IDENTITY_HEADER] = identity;
  const key = pageKey();
  if (key !== undefined) headers[PAGE_KEY_HEADER] = key;
  const response = await fetch(withQuery(path, query), {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
    credentials: 'same-origin',
  }).catch((cause: unknown) => {
    if (signal?.aborted) throw cause;
    throw new ApiError(0, 'DependencyUnavailable', 'The console server cannot be reached: it may have stopped. Start it again.');
  });
  const text = await response.text();
  const json = text === '' ? undefined : parse(text);
  if (!response.ok) throw errorFrom(response.status, json);
  return json as T;
}

function withQuery(path: string, query: Query | undefined): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) if (value !== undefined && value !== '') params.set(name, String(value));
  const search = params.toString();
  return search === '' ? path : `${path}?${search}`;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function errorFrom(status: number, json: unknown): ApiError {
  const error = (json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  if (typeof error?.code === 'string' && typeof error.message === 'string') return new ApiError(status, error.code, error.message);
  return new ApiError(status, 'InternalError', `The server answered ${status} without an error body.`);
}

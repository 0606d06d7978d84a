import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listen } from '../http-server.js';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { MAX_REQUEST_BYTES, type ApiFunctionName } from '../../contract/index.js';
import { decodeUtf8Chunks } from '../../packages/client/src/utf8-chunks.js';
import type { AccessDecision } from '../iam/policy-evaluator.js';
import type { AuthorizationType, DeployedApi } from './deployed-api.js';
import { API_GATEWAY_MESSAGES, renderGatewayResponse, type ApiGatewayResponseType, type GatewayFailure } from './gateway-responses.js';
import { matchRoute, toProxyEvent, type Caller, type MatchedRoute } from './proxy-event.js';
import { validateRequest } from './request-validation.js';
import type { Credentialed, SignatureFailure, SigV4Verifier } from './sigv4-verifier.js';

/**
 * A function's answer. A function run in another thread may hand its body over already encoded as
 * UTF-8, in `bodyBytes`, for the gateway to write as it is.
 */
export type ProxyResult = APIGatewayProxyResult & { readonly bodyBytes?: Uint8Array };

/** Invokes a function with an event, as API Gateway's Lambda integration does; the function runtime supplies the context. */
export type ProxyHandler = (event: APIGatewayProxyEvent) => Promise<ProxyResult>;

/**
 * Decides `execute-api:Invoke` on a method: for a verified caller on an AWS_IAM method, for nobody
 * on a method without authorization (see resource-policy.ts for API Gateway's rules).
 */
export type InvokeAuthorizer<P> = (request: {
  readonly caller: P | undefined;
  readonly method: string;
  readonly path: string;
  readonly authorizationType: AuthorizationType;
}) => Promise<AccessDecision>;

export interface LocalGatewayOptions<P extends Caller & Credentialed = Caller & Credentialed> {
  /** The REST API as deployed: its methods, request validation and gateway responses (deployed-api.ts). */
  readonly api: DeployedApi;
  readonly handlers: Readonly<Record<ApiFunctionName, ProxyHandler>>;
  readonly verifier: SigV4Verifier<P>;
  /** Evaluates the API's resource policy and the caller's IAM policies; without it, every verified caller passes. */
  readonly authorize?: InvokeAuthorizer<P>;
  readonly port?: number;
  readonly host?: string;
}

export interface LocalGateway {
  readonly url: string;
  close(): Promise<void>;
}

/** A request API Gateway answers itself, with one of its gateway responses. */
class GatewayError extends Error {
  constructor(
    readonly type: ApiGatewayResponseType,
    message: string,
    readonly validationErrorString?: string,
  ) {
    super(message);
  }

  get failure(): GatewayFailure {
    return { type: this.type, message: this.message, validationErrorString: this.validationErrorString };
  }
}

/**
 * The gateway response API Gateway picks for each way a SigV4 signature fails ("Gateway response
 * types"). An expired signature is an invalid one (AWS answers it as InvalidSignatureException,
 * "Signature expired: …"); EXPIRED_TOKEN is for an expired session token, which the local
 * identities' long-term credentials never carry.
 */
const SIGNATURE_FAILURE_RESPONSE: Record<SignatureFailure, ApiGatewayResponseType> = {
  MissingAuthenticationTokenException: 'MISSING_AUTHENTICATION_TOKEN',
  IncompleteSignatureException: 'INVALID_SIGNATURE',
  UnrecognizedClientException: 'INVALID_SIGNATURE',
  InvalidSignatureException: 'INVALID_SIGNATURE',
};

/** The request as received: the raw path and query (still percent-encoded, never normalized), headers. */
interface Received {
  readonly method: string;
  readonly path: string;
  readonly rawQuery: string;
  readonly query: URLSearchParams;
  readonly headers: Record<string, string>;
  readonly requestId: string;
  matched?: MatchedRoute;
}

/**
 * A local stand-in for API Gateway (REST, Lambda proxy integration, IAM auth), built from the
 * synthesized API: it matches the deployed methods, verifies SigV4 signatures on AWS_IAM ones,
 * authorizes, validates requests, invokes the same handler exports that deploy to Lambda, and
 * answers its own errors with the API's gateway responses.
 */
export async function startLocalGateway<P extends Caller & Credentialed>(options: LocalGatewayOptions<P>): Promise<LocalGateway> {
  const server = createServer((req, res) => {
    const received = receive(req);
    handle(options, received, req, res).catch((error: unknown) => {
      if (error instanceof GatewayError) {
        const rendered = renderGatewayResponse(options.api.gatewayResponses, error.failure, {
          headers: received.headers,
          query: received.query,
          pathParameters: received.matched?.pathParameters,
        });
        writeResponse(req, res, rendered.status, { ...rendered.headers, 'x-amzn-requestid': received.requestId }, rendered.body);
        return;
      }
      // A function that fails or cannot be invoked: API Gateway answers 502 in its own shape.
      console.error('Gateway failure', error);
      writeResponse(req, res, 502, { 'content-type': 'application/json' }, JSON.stringify({ message: 'Internal server error' }));
    });
  });
  server.requestTimeout = 60_000;
  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, options.port ?? 3000, host);
  return { url: `http://${host}:${port}`, close: () => closeServer(server) };
}

function receive(req: IncomingMessage): Received {
  const target = req.url ?? '/';
  const [path, rawQuery] = splitTarget(target);
  return {
    method: req.method ?? 'GET',
    path,
    rawQuery,
    query: new URLSearchParams(rawQuery),
    headers: flattenHeaders(req),
    requestId: randomUUID(),
  };
}

async function handle<P extends Caller & Credentialed>(
  options: LocalGatewayOptions<P>,
  received: Received,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { api } = options;
  const { method, path, query, headers } = received;
  // Refused before it is passed on, as nothing of it could be used (see writeResponse for the rest of it).
  if (declaredLength(req) > MAX_REQUEST_BYTES) throw new GatewayError('REQUEST_TOO_LARGE', API_GATEWAY_MESSAGES.REQUEST_TOO_LARGE);
  const matched = matchRoute(api.methods, method, path);
  // API Gateway REST answers a resource or method it does not have as a missing authentication token.
  if (matched === undefined || matched === 'MethodNotAllowed') {
    throw new GatewayError('MISSING_AUTHENTICATION_TOKEN', API_GATEWAY_MESSAGES.MISSING_AUTHENTICATION_TOKEN);
  }
  received.matched = matched;
  const body = await readBody(req);

  let principal: P | undefined;
  const { authorizationType } = matched.method;
  if (authorizationType === 'AWS_IAM') {
    const verdict = await options.verifier.verify({ method, path, query: received.rawQuery, headers, body });
    if (!verdict.ok) throw new GatewayError(SIGNATURE_FAILURE_RESPONSE[verdict.error], verdict.reason);
    principal = verdict.principal;
  }
  const decision = await options.authorize?.({ caller: principal, method, path, authorizationType });
  if (decision && !decision.allowed) throw new GatewayError('ACCESS_DENIED', decision.message);
  // Decoded once, for validation and for the event.
  const text = decodeUtf8Chunks(body);
  const invalid = validateRequest(matched.method.validation, { headers, query, pathParameters: matched.pathParameters, body: text });
  if (invalid) throw new GatewayError(invalid.type, invalid.message, invalid.validationErrorString);

  const event = toProxyEvent({
    matched,
    method,
    path,
    query,
    headers,
    body: text,
    principal,
    sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
    stage: api.stageName,
    requestId: received.requestId,
  });
  const result = await options.handlers[matched.method.function](event);
  writeResponse(req, res, result.statusCode, { ...stringHeaders(result.headers), 'x-amzn-requestid': received.requestId }, responseBody(result));
}

/** Requests whose body (chunked, so of no declared length) was found longer than the API's limit while read. */
const overLimit = new WeakSet<IncomingMessage>();

/**
 * The body, up to the API's limit, in the chunks it arrived in. Reading stops without destroying
 * the request, which would close the connection under a response that promises to keep it open.
 */
async function readBody(req: IncomingMessage): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req.iterator({ destroyOnReturn: false })) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) {
      overLimit.add(req);
      throw new GatewayError('REQUEST_TOO_LARGE', API_GATEWAY_MESSAGES.REQUEST_TOO_LARGE);
    }
    chunks.push(chunk as Buffer);
  }
  return chunks;
}

/**
 * The path as sent, and the query. Not through a URL parser, which would turn `\` into `/` and
 * resolve `..`: the path reaches matching, signing and the method ARN as the caller wrote it.
 */
function splitTarget(target: string): [string, string] {
  if (!target.startsWith('/')) {
    try {
      const url = new URL(target);
      return [url.pathname, url.search.slice(1)];
    } catch {
      return [target, ''];
    }
  }
  const at = target.indexOf('?');
  return at === -1 ? [target, ''] : [target.slice(0, at), target.slice(at + 1)];
}

/**
 * A header sent more than once has its values joined with bare commas, as SigV4 signs it (Node's own
 * join adds a space). The names are the caller's, so they key an object without a prototype: a
 * header named `__proto__` is a header like any other, and `constructor` is absent unless sent.
 */
function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = Object.create(null);
  for (const [name, values] of Object.entries(req.headersDistinct)) headers[name] = (values ?? []).join(',');
  return headers;
}

/**
 * The answer's bytes: as handed over, decoded from base64 when the function says so, or its text.
 * `body` is read only without bytes: a worker's result decodes it from them when read (handlers.ts).
 */
function responseBody(result: ProxyResult): string | Uint8Array {
  if (result.bodyBytes !== undefined) return result.bodyBytes;
  return result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body;
}

function stringHeaders(headers: APIGatewayProxyResult['headers']): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k, String(v)]));
}

/**
 * How much of a refused body is still read and thrown away. A caller still sending when the
 * connection closes sees a reset instead of the answer (fetch fails with EPIPE), so a body declared
 * up to this long is read to its end, as a lingering close does, and the connection stays usable.
 */
const DISCARDED_BYTES_LIMIT = 2 * MAX_REQUEST_BYTES;

/**
 * Answers, and keeps the connection usable for the caller's next request when the answer comes
 * before the whole body was read (a refused or unroutable request): the rest of a body declared up
 * to {@link DISCARDED_BYTES_LIMIT} is read and discarded, so the next request is read after it; a
 * body declared longer, or a chunked one already past the API's limit, is not waited for, and the
 * answer closes the connection.
 */
function writeResponse(req: IncomingMessage, res: ServerResponse, status: number, headers: Record<string, string>, body: string | Uint8Array): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const closing = !req.complete && (declaredLength(req) > DISCARDED_BYTES_LIMIT || overLimit.has(req));
  res.writeHead(status, closing ? { ...headers, connection: 'close' } : headers);
  res.end(body);
  if (!closing) discardRest(req);
}

/** Reads the rest of the body and throws it away; a rest longer than {@link DISCARDED_BYTES_LIMIT} closes the connection. */
function discardRest(req: IncomingMessage): void {
  if (req.complete) return;
  let discarded = 0;
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > DISCARDED_BYTES_LIMIT) req.socket.destroy();
  });
  req.resume();
}

/** The body length the caller declared (0 for none; a chunked body declares none). */
function declaredLength(req: IncomingMessage): number {
  return Number(req.headers['content-length'] ?? 0) || 0;
}

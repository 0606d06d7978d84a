import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listen } from '../http-server.js';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import {
  ERROR_STATUS,
  GATEWAY_ERRORS,
  MAX_REQUEST_BYTES,
  type ApiFunctionName,
  type ApiRoute,
  type GatewayResponseType,
} from '../../contract/index.js';
import { matchRoute, toProxyEvent } from './proxy-event.js';
import type { Caller } from './proxy-event.js';
import type { Credentialed, SignatureFailure, SigV4Verifier } from './sigv4-verifier.js';

/** Invokes a function with an event, as API Gateway's Lambda integration does; the function runtime supplies the context. */
export type ProxyHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

/** Decides `execute-api:Invoke` for a verified caller, or for nobody on an unauthenticated route. */
export type InvokeAuthorizer<P> = (
  caller: P | undefined,
  method: string,
  path: string,
) => Promise<{ allowed: true } | { allowed: false; message: string }>;

export interface LocalGatewayOptions<P extends Caller & Credentialed = Caller & Credentialed> {
  readonly routes: readonly ApiRoute[];
  readonly handlers: Readonly<Record<ApiFunctionName, ProxyHandler>>;
  readonly verifier: SigV4Verifier<P>;
  /** Evaluates the API's resource policy and the caller's IAM policies; without it, every verified caller passes. */
  readonly authorize?: InvokeAuthorizer<P>;
  readonly port?: number;
  readonly host?: string;
  readonly stage?: string;
}

export interface LocalGateway {
  readonly url: string;
  close(): Promise<void>;
}

/** An error API Gateway answers itself, as the deployed API's gateway responses shape it. */
class GatewayError extends Error {
  constructor(
    readonly type: GatewayResponseType,
    detail = '',
  ) {
    const { message } = GATEWAY_ERRORS[type];
    // `$context.error.…` is API Gateway's own wording of what went wrong: here, the detail.
    super(message.startsWith('$context.') ? detail : message);
  }

  get status(): number {
    return ERROR_STATUS[GATEWAY_ERRORS[this.type].code];
  }
}

/** The gateway response API Gateway picks for each way a SigV4 signature fails. */
const SIGNATURE_FAILURE_RESPONSE: Record<SignatureFailure, GatewayResponseType> = {
  MissingAuthenticationTokenException: 'MISSING_AUTHENTICATION_TOKEN',
  IncompleteSignatureException: 'INVALID_SIGNATURE',
  UnrecognizedClientException: 'INVALID_SIGNATURE',
  InvalidSignatureException: 'INVALID_SIGNATURE',
};

/**
 * A local stand-in for API Gateway (REST, Lambda proxy integration, IAM auth): it matches routes,
 * verifies SigV4 signatures, and invokes the same handler exports that deploy to Lambda.
 */
export async function startLocalGateway<P extends Caller & Credentialed>(options: LocalGatewayOptions<P>): Promise<LocalGateway> {
  const server = createServer((req, res) => {
    handle(options, req, res).catch((error: unknown) => {
      if (error instanceof GatewayError) {
        writeJson(res, error.status, { error: { code: GATEWAY_ERRORS[error.type].code, message: error.message } });
        return;
      }
      // A function that fails or cannot be invoked: API Gateway answers 502 in its own shape.
      console.error('Gateway failure', error);
      writeJson(res, 502, { message: 'Internal server error' });
    });
  });
  server.requestTimeout = 60_000;
  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, options.port ?? 3000, host);
  return { url: `http://${host}:${port}`, close: () => closeServer(server) };
}

async function handle<P extends Caller & Credentialed>(options: LocalGatewayOptions<P>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = req.method ?? 'GET';
  const matched = matchRoute(options.routes, method, url.pathname);
  // API Gateway REST answers a resource or method it does not have as a missing authentication token.
  if (matched === undefined || matched === 'MethodNotAllowed') throw new GatewayError('MISSING_AUTHENTICATION_TOKEN');
  const body = await readBody(req);
  const headers = flattenHeaders(req);

  let principal: P | undefined;
  if (matched.route.iamAuth) {
    const verdict = await options.verifier.verify({ method, path: url.pathname, query: queryRecord(url.searchParams), headers, body });
    if (!verdict.ok) throw new GatewayError(SIGNATURE_FAILURE_RESPONSE[verdict.error], verdict.reason);
    principal = verdict.principal;
  }
  const decision = await options.authorize?.(principal, method, url.pathname);
  if (decision && !decision.allowed) throw new GatewayError('ACCESS_DENIED', decision.message);
  const event = toProxyEvent({
    matched,
    method,
    path: url.pathname,
    query: url.searchParams,
    headers,
    body,
    principal,
    sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
    stage: options.stage ?? 'local',
  });
  const handler = options.handlers[matched.route.function];
  const result = await handler(event);
  res.writeHead(result.statusCode, { ...stringHeaders(result.headers), 'x-amzn-requestid': event.requestContext.requestId });
  res.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) {
      throw new GatewayError('REQUEST_TOO_LARGE');
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  return Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(',') : (value ?? '')]));
}

/** The query as the signer sees it. Built with own properties only: `__proto__=x` is just a parameter. */
function queryRecord(params: URLSearchParams): Record<string, string | string[]> {
  return Object.fromEntries(
    [...new Set(params.keys())].map((key) => {
      const values = params.getAll(key);
      return [key, values.length === 1 ? values[0]! : values];
    }),
  );
}

function stringHeaders(headers: APIGatewayProxyResult['headers']): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k, String(v)]));
}

function writeJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listen } from '../http-server.js';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { ApiFunctionName, ApiRoute } from '../../lambdas/routes.js';
import { matchRoute, toProxyEvent } from './proxy-event.js';
import type { Caller } from './proxy-event.js';
import type { Credentialed, SigV4Verifier } from './sigv4-verifier.js';

/** Invokes a function with an event, as API Gateway's Lambda integration does; the function runtime supplies the context. */
export type ProxyHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

/** Decides `execute-api:Invoke` for a verified caller, or for nobody on an unauthenticated route. */
export type InvokeAuthorizer<P> = (caller: P | undefined, method: string, path: string) => Promise<{ allowed: true } | { allowed: false; message: string }>;

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

/** API Gateway's own payload limit; larger requests never reach a function. */
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

class GatewayError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/**
 * A local stand-in for API Gateway (REST, Lambda proxy integration, IAM auth): it matches routes,
 * verifies SigV4 signatures, and invokes the same handler exports that deploy to Lambda.
 */
export async function startLocalGateway<P extends Caller & Credentialed>(options: LocalGatewayOptions<P>): Promise<LocalGateway> {
  const server = createServer((req, res) => {
    handle(options, req, res).catch((error: unknown) => {
      const status = error instanceof GatewayError ? error.status : 502;
      const code = error instanceof GatewayError ? error.code : 'BadGateway';
      if (!(error instanceof GatewayError)) console.error('Gateway failure', error);
      writeJson(res, status, { error: { code, message: error instanceof GatewayError ? error.message : 'Bad gateway.' } });
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
  if (matched === undefined) throw new GatewayError(404, 'NotFound', `No resource at ${url.pathname}.`);
  if (matched === 'MethodNotAllowed') throw new GatewayError(405, 'MethodNotAllowed', `${method} is not supported on ${url.pathname}.`);
  const body = await readBody(req);
  const headers = flattenHeaders(req);

  let principal: P | undefined;
  if (matched.route.iamAuth) {
    const verdict = await options.verifier.verify({ method, path: url.pathname, query: queryRecord(url.searchParams), headers, body });
    if (!verdict.ok) throw new GatewayError(403, 'AccessDenied', verdict.reason);
    principal = verdict.principal;
  }
  const decision = await options.authorize?.(principal, method, url.pathname);
  if (decision && !decision.allowed) throw new GatewayError(403, 'AccessDenied', decision.message);
  const event = toProxyEvent({
    matched, method, path: url.pathname, query: url.searchParams, headers, body, principal,
    sourceIp: req.socket.remoteAddress ?? '127.0.0.1', stage: options.stage ?? 'local',
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
      throw new GatewayError(413, 'PayloadTooLarge', 'The request exceeds 10 MB. Plaintexts are limited to 4 MiB per request; split larger data.');
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  return Object.fromEntries(
    Object.entries(req.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(',') : (value ?? '')]),
  );
}

/** The query as the signer sees it. Built with own properties only: `__proto__=x` is just a parameter. */
function queryRecord(params: URLSearchParams): Record<string, string | string[]> {
  return Object.fromEntries([...new Set(params.keys())].map((key) => {
    const values = params.getAll(key);
    return [key, values.length === 1 ? values[0]! : values];
  }));
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

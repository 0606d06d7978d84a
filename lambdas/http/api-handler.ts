import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { ApiFunctionName, RouteName } from '../../contract/index.js';
import type { AuditFacts } from '../domain/audit-record.js';
import type { ChangeRequest } from '../domain/change-request.js';
import { ServiceError } from '../domain/errors.js';
import { auditFactsOf, auditTrail, writeIntent } from './audit.js';
import { runAbortable } from './cancellation.js';
import { errorResponse } from './error-response.js';
import { logger, metrics, requestMetrics, requestTrace, tracer } from './observability.js';

/** What a route sees of a request: the authenticated caller and the parsed parts. */
export interface ApiRequest {
  readonly caller: string;
  /** Headers, names in lower case. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The invocation's Lambda context (its remaining time bounds work done for the request). */
  readonly context: Context;
  readonly body: unknown;
  readonly path: Readonly<Record<string, string | undefined>>;
  readonly query: Readonly<Record<string, string | undefined>>;
  /** What the route reports of the keys it touched, for the request's audit record. */
  readonly audit: AuditFacts;
  /** With an `Idempotency-Key`: the request, for the domain to write with its change (see idempotency.ts). */
  readonly change?: ChangeRequest;
}

export type Route = (request: ApiRequest) => Promise<APIGatewayProxyResult>;

/**
 * The routes one function serves, keyed by `METHOD /resource` as API Gateway names them: exactly
 * those the contract assigns to the function, so a missing or unknown route fails to compile.
 */
export type Routes<F extends ApiFunctionName = ApiFunctionName> = Readonly<Record<RouteName<F>, Route>>;

type ParsedEvent = Omit<APIGatewayProxyEvent, 'body'> & { body: unknown };

/**
 * One Lambda entry point serving a set of routes: headers normalized, JSON bodies parsed,
 * a trace subsegment per request (in Lambda, annotated with its operation), structured logs with
 * the Lambda context, metrics per request (EMF), an audit record per request, and every error
 * mapped to the API contract.
 */
export function apiHandler<F extends ApiFunctionName>(routes: Routes<F>) {
  const byName: Readonly<Record<string, Route | undefined>> = routes;
  const dispatch = async (event: ParsedEvent, context: Context, { signal }: { signal: AbortSignal }): Promise<APIGatewayProxyResult> => {
    const name = `${event.httpMethod} ${event.resource}`;
    const route = Object.hasOwn(byName, name) ? byName[name] : undefined;
    if (!route) throw new ServiceError('NotFound', `No route for ${event.httpMethod} ${event.path}.`);
    const caller = callerArn(event);
    await writeIntent(event, context);
    const request = {
      caller,
      headers: event.headers ?? {},
      context,
      body: event.body,
      path: event.pathParameters ?? {},
      query: event.queryStringParameters ?? {},
      audit: auditFactsOf(context),
    };
    // The request ends when it is answered or runs out of time; its AWS calls end with it.
    const ended = new AbortController();
    const endOnTimeout = () => ended.abort();
    signal.addEventListener('abort', endOnTimeout);
    try {
      const work = runAbortable(ended.signal, () => route(request));
      working.set(context, work);
      return await work;
    } finally {
      signal.removeEventListener('abort', endOnTimeout);
      ended.abort();
    }
  };

  const operations = Object.keys(byName);
  const handler = middy<ParsedEvent, APIGatewayProxyResult>(dispatch, { timeoutEarlyInMillis: TIMEOUT_MARGIN_MS, timeoutEarlyResponse: outOfTime });
  // The tracer first, so that its subsegment spans the rest; never an answer in a trace (answers carry plaintexts and data keys).
  if (tracer) handler.use(captureLambdaHandler(tracer, { captureResponse: false }));
  return handler
    .use(requestTrace(operations, (context) => auditFactsOf(context).keyIdsSoFar()))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .use(requestMetrics(operations))
    .use(accessLog())
    .use(auditTrail())
    .use(untilWorkStops())
    .use(httpHeaderNormalizer())
    .use(emptyBodyAsEmptyObject())
    .use(jsonBodyParser())
    .use({
      onError: async (request) => {
        request.response = errorResponse(request.error, (message, detail) =>
          detail instanceof Error ? logger.error(message, detail) : logger.error(message, { ...detail }),
        );
      },
    });
}

/** How long before the function's timeout a request still running is answered, and its work stopped. */
const TIMEOUT_MARGIN_MS = 500;

const outOfTime = (): never => {
  throw new ServiceError('DependencyUnavailable', 'The request ran out of time waiting for a dependency; retry later.', 2);
};

/** The route's work for each invocation still running, until it settles. */
const working = new WeakMap<Context, Promise<unknown>>();
/** How long an answer after the early timeout waits for the aborted work to stop, at most. */
const STOP_WAIT_MS = 100;

/**
 * After the early timeout, waits (briefly) for the route's aborted work to stop before the error's
 * answer is made: its audit record then follows every call it made, and the invocation's trace
 * subsegment closes after its children (X-Ray never sends a subsegment that closes with a child
 * open, so the trace would lose the invocation it most needs to show).
 */
function untilWorkStops(): middy.MiddlewareObj<ParsedEvent, APIGatewayProxyResult> {
  return {
    onError: async ({ context }) => {
      const work = working.get(context);
      if (work === undefined) return;
      let timer: NodeJS.Timeout | undefined;
      const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_WAIT_MS)));
      await Promise.race([work.then(noop, noop), waited]);
      clearTimeout(timer);
    },
  };
}

const noop = () => {};

/** One structured line per request: route, caller and status; never bodies, which carry secrets. */
function accessLog(): middy.MiddlewareObj<ParsedEvent, APIGatewayProxyResult> {
  const log = async ({ event, response }: middy.Request<ParsedEvent, APIGatewayProxyResult>) => {
    logger.info('Request handled', {
      route: `${event.httpMethod} ${event.resource}`,
      caller: event.requestContext?.identity?.userArn ?? null,
      statusCode: response?.statusCode,
    });
  };
  return { after: log, onError: log };
}

/** Routes with optional bodies treat an absent body as `{}`; a body of JSON `null` is not absent (request.ts refuses it). */
function emptyBodyAsEmptyObject(): middy.MiddlewareObj<ParsedEvent> {
  return {
    before: async ({ event }) => {
      if (event.body === null || event.body === undefined || event.body === '') {
        event.body = '{}';
        event.headers = { ...event.headers, 'content-type': 'application/json' };
      }
    },
  };
}

/**
 * Middy's JSON body parser refuses a `__proto__` key, and a `constructor` key whose value has a
 * `prototype` (422), with a reviver that costs several times the parse itself on a large batch.
 * A JSON body is parsed plainly here, and its keys looked at after; anything else (another content
 * type, base64, invalid JSON, a forbidden key) goes to middy's parser, which answers it as always.
 */
function jsonBodyParser(): middy.MiddlewareObj<ParsedEvent> {
  const protecting = httpJsonBodyParser({ disableContentTypeError: true }) as middy.MiddlewareObj<ParsedEvent>;
  return {
    before: async (request) => {
      const parsed = plainJson(request.event);
      if (parsed === undefined) return protecting.before?.(request);
      request.event.body = parsed.value;
    },
  };
}

/** The body, parsed, when it is JSON sent as such and holds no forbidden key. */
function plainJson({ body, headers, isBase64Encoded }: ParsedEvent): { value: unknown } | undefined {
  const contentType = headers?.['content-type'];
  const json = contentType === 'application/json' || contentType?.startsWith('application/json;');
  if (!json || isBase64Encoded || typeof body !== 'string') return undefined;
  try {
    const value: unknown = JSON.parse(body);
    return holdsForbiddenKey(value) ? undefined : { value };
  } catch {
    // Not JSON, or nested too deep to walk.
    return undefined;
  }
}

/** Whether parsed JSON holds a key middy's reviver refuses. */
function holdsForbiddenKey(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some(holdsForbiddenKey);
  for (const key of Object.keys(value)) {
    const child = (value as Record<string, unknown>)[key];
    if (key === '__proto__' || (key === 'constructor' && child && Object.hasOwn(child, 'prototype')) || holdsForbiddenKey(child)) return true;
  }
  return false;
}

/** API Gateway's IAM authorizer has verified the signature; the principal arrives in the context. */
function callerArn(event: ParsedEvent): string {
  const arn = event.requestContext?.identity?.userArn;
  if (!arn) throw new ServiceError('AccessDenied', 'The request is not signed by a known principal.');
  return arn;
}

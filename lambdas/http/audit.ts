import type middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { API_ROUTES, IDEMPOTENCY_HEADER, IDEMPOTENCY_KEY_PATTERN } from '../../contract/index.js';
import { auditConfig } from '../config.js';
import { AuditFacts, AuditHasher, type AuditCategory, type AuditEntry, type AuditRecord, type AuditRequest } from '../domain/audit-record.js';
import { ServiceError } from '../domain/errors.js';
import { auditSink, readAuditKey } from './audit-sink.js';
import { errorResponse } from './error-response.js';
import { once } from './master-key-service.js';
import { errorCodeOf, logger } from './observability.js';

/** How long writing one record may take, at most; less when the invocation has less time left. */
const WRITE_TIMEOUT_MS = 2_000;
/** Time kept back from the invocation's remaining time, to answer after a write that timed out. */
const RESERVE_MS = 50;

const ROUTES = new Map(
  API_ROUTES.map((route) => [
    `${route.method} ${route.resource}`,
    { operation: route.operationId, category: (route.function === 'crypto' ? 'use' : route.method === 'GET' ? 'read' : 'change') as AuditCategory },
  ]),
);

type AuditedEvent = Pick<APIGatewayProxyEvent, 'httpMethod' | 'resource' | 'requestContext' | 'pathParameters' | 'headers'>;

interface Started {
  readonly facts: AuditFacts;
  readonly time: Date;
  readonly at: number;
}

const started = new WeakMap<Context, Started>();
const ended = new WeakSet<Context>();

const start = (): Started => ({ facts: new AuditFacts(), time: new Date(), at: performance.now() });

/** The facts the routes of this invocation report to its audit record. */
export const auditFactsOf = (context: Context): AuditFacts => started.get(context)?.facts ?? new AuditFacts();

const getConfig = once(auditConfig);
const getSink = once(() => auditSink(getConfig().sink));
let hasher: Promise<AuditHasher> | undefined;
/** Read once per execution environment; a failed read is tried again by the next request. */
const getHasher = (timeoutMs: number): Promise<AuditHasher> =>
  (hasher ??= readAuditKey(getConfig().key, timeoutMs)
    .then((key) => new AuditHasher(key))
    .catch((error: unknown) => {
      hasher = undefined;
      throw error;
    }));

/**
 * Exactly one audit record per invocation, whatever its end: an answer, an error mapped to the
 * contract, or the early timeout. The record is written before the answer leaves; if it cannot
 * be, the answer is 503 (fail closed, as Vault refuses requests it cannot audit), so no key is
 * used without a record. A change also gets an intent record before it runs (write-ahead): if
 * that cannot be written the change does not run, and if the process dies before the outcome, the
 * intent stays, for a retry's outcome to complete. Use it after the middlewares that report the
 * answer (access log, metrics), so that they see that 503.
 */
export function auditTrail(): middy.MiddlewareObj<AuditedEvent, APIGatewayProxyResult> {
  const end = async (request: middy.Request<AuditedEvent, APIGatewayProxyResult>) => {
    const { event, context, response } = request;
    if (ended.has(context)) return;
    ended.add(context);
    const { facts, time, at } = started.get(context) ?? start();
    const status = response?.statusCode ?? 500;
    facts.keyNamed(pathKey(event));
    const outcome = {
      ...requestOf(event, context, time),
      outcome: status < 400 ? 'ok' : errorCodeOf(response),
      status,
      latencyMs: performance.now() - at,
    };
    let record: AuditRecord | undefined;
    try {
      await writeEntry(context, (hasher) => (record = facts.record(outcome, hasher)));
    } catch (error) {
      // The record holds nothing secret: the function's own log keeps it when the audit trail cannot.
      logger.error('Audit record not written: answering 503', { error: error as Error, auditRecord: record ?? { route: outcome.route, status } });
      request.response = unaudited();
    }
  };
  return {
    before: async ({ context }) => {
      started.set(context, start());
    },
    after: end,
    onError: end,
  };
}

/**
 * The intent of a change, written before it runs (called by the handler, right before the route):
 * if it cannot be written, the change does not run. Nothing for routes that change nothing.
 */
export async function writeIntent(event: AuditedEvent, context: Context): Promise<void> {
  const begun = started.get(context);
  if (begun === undefined || ROUTES.get(routeOf(event))?.category !== 'change') return;
  const key = headerOf(event, IDEMPOTENCY_HEADER);
  if (key !== undefined && IDEMPOTENCY_KEY_PATTERN.test(key)) begun.facts.retryableWith(key);
  begun.facts.keyNamed(pathKey(event));
  const intent = requestOf(event, context, begun.time);
  await writeEntry(context, (hasher) => begun.facts.intent(intent, hasher)).catch((error: unknown) => {
    logger.error('Audit intent not written: the change does not run', { error: error as Error, route: intent.route });
    throw UNAUDITED;
  });
}

const routeOf = (event: AuditedEvent) => `${event.httpMethod} ${event.resource}`;

function requestOf(event: AuditedEvent, context: Context, time: Date): Omit<AuditRequest, 'outcome' | 'status' | 'latencyMs'> {
  const route = routeOf(event);
  return {
    time,
    requestId: event.requestContext?.requestId ?? null,
    lambdaRequestId: context.awsRequestId,
    caller: event.requestContext?.identity?.userArn ?? null,
    sourceIp: event.requestContext?.identity?.sourceIp ?? null,
    userAgent: event.requestContext?.identity?.userAgent ?? null,
    route,
    operation: ROUTES.get(route)?.operation ?? 'unknown',
    category: ROUTES.get(route)?.category ?? 'read',
  };
}

/** Writes one entry within the write timeout, or less when the invocation has less time left. */
async function writeEntry(context: Context, entry: (hasher: AuditHasher) => AuditEntry): Promise<void> {
  const deadline = Date.now() + Math.min(WRITE_TIMEOUT_MS, (context.getRemainingTimeInMillis?.() ?? WRITE_TIMEOUT_MS) - RESERVE_MS);
  const hashed = entry(await getHasher(deadline - Date.now()));
  await getSink().write(hashed, deadline - Date.now());
}

const UNAUDITED = new ServiceError('DependencyUnavailable', 'The audit trail is unavailable; retry later.', 2);
const unaudited = () =>
  Object.assign(
    errorResponse(UNAUDITED, () => {}),
    { error: UNAUDITED },
  );

/** A header of the event as it arrived (names in any case: the header normalizer runs later). */
function headerOf({ headers }: AuditedEvent, name: string): string | undefined {
  const found = Object.entries(headers ?? {}).find(([header]) => header.toLowerCase() === name);
  return found?.[1] ?? undefined;
}

/** The `{key}` path parameter as the caller named the key (percent-decoded), if the route has one. */
function pathKey(event: AuditedEvent): string | undefined {
  try {
    return event.pathParameters?.key ? decodeURIComponent(event.pathParameters.key) : undefined;
  } catch {
    return undefined;
  }
}

import type middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { API_ROUTES } from '../../contract/index.js';
import { auditConfig } from '../config.js';
import { AuditFacts, AuditHasher, type AuditCategory, type AuditRecord } from '../domain/audit-record.js';
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

type AuditedEvent = Pick<APIGatewayProxyEvent, 'httpMethod' | 'resource' | 'requestContext' | 'pathParameters'>;

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
 * used without a record. Use it after the middlewares that report the answer (access log,
 * metrics), so that they see that 503.
 */
export function auditTrail(): middy.MiddlewareObj<AuditedEvent, APIGatewayProxyResult> {
  const end = async (request: middy.Request<AuditedEvent, APIGatewayProxyResult>) => {
    const { event, context, response } = request;
    if (ended.has(context)) return;
    ended.add(context);
    const { facts, time, at } = started.get(context) ?? start();
    const route = `${event.httpMethod} ${event.resource}`;
    const status = response?.statusCode ?? 500;
    const deadline = Date.now() + Math.min(WRITE_TIMEOUT_MS, (context.getRemainingTimeInMillis?.() ?? WRITE_TIMEOUT_MS) - RESERVE_MS);
    facts.keyNamed(pathKey(event));
    let record: AuditRecord | undefined;
    try {
      record = facts.record(
        {
          time,
          requestId: event.requestContext?.requestId ?? null,
          lambdaRequestId: context.awsRequestId,
          caller: event.requestContext?.identity?.userArn ?? null,
          sourceIp: event.requestContext?.identity?.sourceIp ?? null,
          userAgent: event.requestContext?.identity?.userAgent ?? null,
          route,
          operation: ROUTES.get(route)?.operation ?? 'unknown',
          category: ROUTES.get(route)?.category ?? 'read',
          outcome: status < 400 ? 'ok' : errorCodeOf(response),
          status,
          latencyMs: performance.now() - at,
        },
        await getHasher(deadline - Date.now()),
      );
      await getSink().write(record, deadline - Date.now());
    } catch (error) {
      // The record holds nothing secret: the function's own log keeps it when the audit trail cannot.
      logger.error('Audit record not written: answering 503', { error: error as Error, auditRecord: record ?? { route, status } });
      request.response = errorResponse(new ServiceError('DependencyUnavailable', 'The audit trail is unavailable; retry later.', 2), () => {});
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

/** The `{key}` path parameter as the caller named the key (percent-decoded), if the route has one. */
function pathKey(event: AuditedEvent): string | undefined {
  try {
    return event.pathParameters?.key ? decodeURIComponent(event.pathParameters.key) : undefined;
  } catch {
    return undefined;
  }
}

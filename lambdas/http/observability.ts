import type middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import type { APIGatewayProxyResult, Context } from 'aws-lambda';
import { isDataKeyId } from '../domain/ciphertext-token.js';
import type { DependencyCall, DependencyObserver } from '../domain/dependency-calls.js';
import type { DataKeyCacheObserver } from '../domain/data-key-provider.js';
import { METRIC_DIMENSIONS, METRIC_NAMES, METRICS_NAMESPACE, UNKNOWN_OPERATION, type DependencyMetricNames } from './metrics.js';

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'envelope-api';

/** Created once per execution environment and shared by every handler. */
export const logger = new Logger({ serviceName });

/** Created once too; flushed as one EMF line per request by `logMetrics` (see apiHandler). */
export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName, logger });

// Traces never hold an answer (plaintexts, data keys) nor an error's message or stack (a message
// may quote what the caller sent: an alias, a grant name), whatever the environment says: a failed
// request's subsegment gets its flag and its contract error code (see requestTrace).
process.env.POWERTOOLS_TRACER_CAPTURE_RESPONSE = 'false';
process.env.POWERTOOLS_TRACER_CAPTURE_ERROR = 'false';

/**
 * Whether Powertools' Tracer may turn itself on: only in Lambda (`AWS_EXECUTION_ENV`), and not with
 * `POWERTOOLS_TRACE_ENABLED=false` (it then looks at more). Elsewhere it is not loaded at all: its
 * X-Ray SDK took a sixth of a function's init, and its async hooks (cls-hooked) a tenth of a batch's
 * time, tracing or not.
 */
const mayTrace = (process.env.AWS_EXECUTION_ENV ?? '') !== '' && process.env.POWERTOOLS_TRACE_ENABLED?.toLowerCase() !== 'false';

/**
 * Created once too, where it may trace: a subsegment per invocation (`captureLambdaHandler`,
 * annotated by requestTrace), and one per AWS SDK call of the clients passed to `traced`
 * (service, operation, request id, attempts and status; DynamoDB's table name and read options; no
 * parameter or answer of KMS, Secrets Manager or CloudWatch Logs). Every call the handlers make
 * goes through such a client, so Node's http modules are left unpatched.
 */
export const tracer: Tracer | undefined = mayTrace
  ? new (await import('@aws-lambda-powertools/tracer')).Tracer({ serviceName, captureHTTPsRequests: false })
  : undefined;

/** An AWS SDK client, traced when the tracer is on: every client the handlers create goes through here. */
export const traced = <T extends object>(client: T): T => tracer?.captureAWSv3Client(client) ?? client;

/** Latencies kept per dependency and request: EMF takes at most 100 values of a metric in one line. */
const MAX_LATENCY_SAMPLES = 50;

/**
 * One request's metrics, summed as they happen and handed to Powertools once, at the end: a
 * batch of a thousand items would otherwise fill a metric's 100 values, and Powertools would
 * flush mid-request, dropping the request's dimensions. Lambda runs one request at a time per
 * execution environment, so one tally serves them all (the local runtime, which runs requests
 * concurrently in a function's worker, may mix concurrent requests' figures).
 */
class RequestTally {
  private readonly counts = new Map<string, number>();
  private readonly latencies = new Map<string, number[]>();

  count(name: string, by = 1): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + by);
  }

  dependencyCall(names: DependencyMetricNames, { outcome, durationMs }: DependencyCall): void {
    this.count(names.calls);
    if (outcome === 'throttled') this.count(names.throttles);
    if (outcome === 'failed') this.count(names.errors);
    const samples = this.latencies.get(names.latency) ?? [];
    if (samples.length < MAX_LATENCY_SAMPLES) this.latencies.set(names.latency, [...samples, Math.round(durationMs * 100) / 100]);
  }

  addTo(target: Metrics): void {
    for (const [name, value] of this.counts) target.addMetric(name, MetricUnit.Count, value);
    for (const [name, samples] of this.latencies) {
      for (const ms of samples) target.addMetric(name, MetricUnit.Milliseconds, ms);
    }
  }
}

let tally = new RequestTally();

export const observeKmsCall: DependencyObserver = (call) => tally.dependencyCall(METRIC_NAMES.kms, call);
export const observeDynamoDbCall: DependencyObserver = (call) => tally.dependencyCall(METRIC_NAMES.dynamoDb, call);
export const observeDataKeyCache: DataKeyCacheObserver = (lookup, uses = 1) =>
  tally.count(lookup === 'hit' ? METRIC_NAMES.cacheHits : METRIC_NAMES.cacheMisses, uses);

interface RoutedEvent {
  readonly httpMethod: string;
  readonly resource: string;
  readonly body: unknown;
}

/**
 * Counts each request under its operation, one of `operations` (any other is `unknown`, so the
 * dimension's values stay few): Requests, Errors (with the error code), the batch size, and what
 * the domain reported while it ran. Use it after `logMetrics`, which then flushes the line.
 */
export function requestMetrics(operations: readonly string[]): middy.MiddlewareObj<RoutedEvent, APIGatewayProxyResult> {
  const known = new Set(operations);
  const record = async ({ event, response }: middy.Request<RoutedEvent, APIGatewayProxyResult>) => {
    const route = `${event.httpMethod} ${event.resource}`;
    metrics.addDimension(METRIC_DIMENSIONS.operation, known.has(route) ? route : UNKNOWN_OPERATION);
    metrics.addDimensions({});
    const failed = (response?.statusCode ?? 500) >= 400;
    tally.count(METRIC_NAMES.requests);
    tally.count(METRIC_NAMES.errors, failed ? 1 : 0);
    if (failed) countErrorCode(errorCodeOf(response));
    const items = (event.body as { items?: unknown } | null)?.items;
    if (Array.isArray(items)) tally.count(METRIC_NAMES.batchSize, items.length);
    tally.addTo(metrics);
  };
  return {
    before: async () => {
      tally = new RequestTally();
    },
    after: record,
    onError: record,
  };
}

/**
 * Annotates the invocation's subsegment, which `captureLambdaHandler` opens (use this right after
 * it). Annotations are indexed (X-Ray filter expressions find them), so they carry only names
 * from fixed sets and random ids: `operation`, the route as the metrics name it; `keyId`, when the
 * request touched exactly one data key (its UUID; never an alias or a context value); for an error
 * answer, `errorCode`, with the subsegment flagged as X-Ray flags HTTP calls: fault for 5xx, error
 * for 4xx, throttle for 429.
 */
export function requestTrace(
  operations: readonly string[],
  keyIdsOf: (context: Context) => readonly string[],
): middy.MiddlewareObj<RoutedEvent, APIGatewayProxyResult> {
  const known = new Set(operations);
  const annotate = async ({ event, context, response }: middy.Request<RoutedEvent, APIGatewayProxyResult>) => {
    if (!tracer?.isTracingEnabled()) return;
    const route = `${event.httpMethod} ${event.resource}`;
    tracer.putAnnotation('operation', known.has(route) ? route : UNKNOWN_OPERATION);
    const keyIds = keyIdsOf(context).filter(isDataKeyId);
    if (keyIds.length === 1) tracer.putAnnotation('keyId', keyIds[0]!);
    const status = response?.statusCode ?? 500;
    if (status < 400) return;
    tracer.putAnnotation('errorCode', errorCodeOf(response));
    const segment = tracer.getSegment();
    if (status >= 500) segment?.addFaultFlag();
    else segment?.addErrorFlag();
    if (status === 429) segment?.addThrottleFlag();
  };
  return { after: annotate, onError: annotate };
}

function countErrorCode(code: string): void {
  metrics.addMetadata(METRIC_DIMENSIONS.errorCode, code);
  const byCode = metrics.singleMetric();
  byCode.addDimension(METRIC_DIMENSIONS.errorCode, code);
  byCode.addMetric(METRIC_NAMES.errors, MetricUnit.Count, 1);
}

/** The contract's error code, from the answer every error gets: `{"error": {"code", "message"}}`. */
export function errorCodeOf(response: APIGatewayProxyResult | null | undefined): string {
  try {
    return (JSON.parse(response?.body ?? '') as { error: { code: string } }).error.code;
  } catch {
    return 'InternalError';
  }
}

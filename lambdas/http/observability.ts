import type middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { DependencyCall, DependencyObserver } from '../domain/dependency-calls.js';
import type { DataKeyCacheObserver } from '../domain/data-key-provider.js';
import { METRIC_DIMENSIONS, METRIC_NAMES, METRICS_NAMESPACE, UNKNOWN_OPERATION, type DependencyMetricNames } from './metrics.js';

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'envelope-api';

/** Created once per execution environment and shared by every handler. */
export const logger = new Logger({ serviceName });

/** Created once too; flushed as one EMF line per request by `logMetrics` (see apiHandler). */
export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName, logger });

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
export const observeDataKeyCache: DataKeyCacheObserver = (lookup) =>
  tally.count(lookup === 'hit' ? METRIC_NAMES.cacheHits : METRIC_NAMES.cacheMisses);

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

/**
 * The service's custom metrics, as the handlers emit them (EMF, through Powertools Metrics) and the
 * dashboard and alarms read them. Import-free, so the CDK app can name them too.
 *
 * Every request's metrics carry two dimension sets: `service` with `operation` (the route, as API
 * Gateway names it: `POST /v1/encrypt`), and `service` alone for the whole stage. Errors are also
 * counted by `service` and `errorCode` (the contract's codes: a short, fixed list).
 */
export const METRICS_NAMESPACE = 'EnvelopeApi';

export const METRIC_DIMENSIONS = { service: 'service', operation: 'operation', errorCode: 'errorCode' } as const;

/** The operation of a request that matched no route: it keeps the dimension's values to the route table. */
export const UNKNOWN_OPERATION = 'unknown';

/** The metrics of one dependency: calls, their latency (ms, SDK retries included), and how many failed. */
export interface DependencyMetricNames {
  readonly calls: string;
  readonly latency: string;
  /** Calls still throttled after the SDK's retries (the caller got 429). */
  readonly throttles: string;
  /** Calls the dependency could not serve: unavailable, refused, or the master key unusable. */
  readonly errors: string;
}

const dependencyMetrics = (prefix: string): DependencyMetricNames => ({
  calls: `${prefix}Calls`,
  latency: `${prefix}Latency`,
  throttles: `${prefix}Throttles`,
  errors: `${prefix}Errors`,
});

export const METRIC_NAMES = {
  /** One per request the function answered. */
  requests: 'Requests',
  /** 1 for a request answered with an error (4xx or 5xx), else 0: its average is the error rate. */
  errors: 'Errors',
  /** Items in a batch request. */
  batchSize: 'BatchSize',
  /** Uses of a data key found in memory, and uses that waited for KMS to unwrap it. */
  cacheHits: 'CacheHit',
  cacheMisses: 'CacheMiss',
  kms: dependencyMetrics('Kms'),
  dynamoDb: dependencyMetrics('DynamoDb'),
} as const;

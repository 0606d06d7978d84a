import { Duration } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { METRIC_DIMENSIONS, METRIC_NAMES, METRICS_NAMESPACE } from '../../lambdas/http/metrics.js';

/** What the dashboard and the alarms watch: one stage of the service. */
export interface ServiceMetricsProps {
  readonly api: apigateway.RestApi;
  /** The functions, by name. */
  readonly functions: Readonly<Record<string, lambda.IFunction>>;
  readonly table: dynamodb.ITable;
  /** The table operations the functions call (DynamoDB reports throttles and system errors per operation). */
  readonly tableOperations: readonly dynamodb.Operation[];
  /** The `service` dimension the functions' EMF metrics carry (their POWERTOOLS_SERVICE_NAME). */
  readonly service: string;
}

/** The service's own metrics (lambdas/http/metrics.ts), for the whole stage (dimension `service` alone). */
export function serviceMetric(props: ServiceMetricsProps, metricName: string, options: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { [METRIC_DIMENSIONS.service]: props.service },
    statistic: cloudwatch.Stats.SUM,
    ...options,
  });
}

/** The share of data-key uses served from memory, in percent; no uses, no point. */
export function cacheHitRate(props: ServiceMetricsProps, period: Duration): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    label: 'Data-key cache hit rate (%)',
    expression: '100 * hits / (hits + misses)',
    usingMetrics: {
      hits: serviceMetric(props, METRIC_NAMES.cacheHits, { period }),
      misses: serviceMetric(props, METRIC_NAMES.cacheMisses, { period }),
    },
    period,
  });
}

/** One metric summed over every function (metric math: CloudWatch has no per-stage Lambda aggregate). */
export function sumOverFunctions(
  props: ServiceMetricsProps,
  label: string,
  metricOf: (fn: lambda.IFunction) => cloudwatch.IMetric,
  period: Duration,
): cloudwatch.MathExpression {
  const usingMetrics = Object.fromEntries(Object.values(props.functions).map((fn, index) => [`f${index}`, metricOf(fn)]));
  return new cloudwatch.MathExpression({ label, expression: `SUM([${Object.keys(usingMetrics).join(', ')}])`, usingMetrics, period });
}

export const ONE_MINUTE = Duration.minutes(1);
export const FIVE_MINUTES = Duration.minutes(5);

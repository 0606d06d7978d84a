import type { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { METRIC_DIMENSIONS, METRIC_NAMES, METRICS_NAMESPACE, type DependencyMetricNames } from '../../lambdas/http/metrics.js';
import { cacheHitRate, FIVE_MINUTES, serviceMetric, type ServiceMetricsProps } from './service-metrics.js';

export interface OperationsDashboardProps extends ServiceMetricsProps {
  /**
   * @default - a name CloudFormation generates
   */
  readonly dashboardName?: string;
  /**
   * Alarms whose state the dashboard shows at its top.
   * @default - none
   */
  readonly alarms?: readonly cloudwatch.IAlarm[];
  /**
   * The period of every graph.
   * @default Duration.minutes(5)
   */
  readonly period?: Duration;
}

const WIDTH = 6;
const HEIGHT = 6;

/**
 * One page for the service, a row per layer: the API as callers see it, the functions, KMS with
 * the data-key cache, and DynamoDB (docs/operations.md, "Dashboard", draws it).
 */
export class OperationsDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    const period = props.period ?? FIVE_MINUTES;
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: props.dashboardName });
    if (props.alarms && props.alarms.length > 0) {
      this.dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: 4 * WIDTH, height: 3 }));
    }
    this.addRow('API', apiGraphs(props, period));
    this.addRow('Functions', functionGraphs(props, period));
    this.addRow('KMS and the data-key cache', [
      ...dependencyGraphs('KMS', METRIC_NAMES.kms, props, period),
      graph('Data-key cache hit rate (%)', [cacheHitRate(props, period)], { leftYAxis: { min: 0, max: 100 } }),
      graph('API errors by code', [errorsByCode(props, period)]),
    ]);
    this.addRow('DynamoDB', [
      ...dependencyGraphs('DynamoDB', METRIC_NAMES.dynamoDb, props, period),
      graph('Table throttled requests', [props.table.metricThrottledRequestsForOperations({ operations: [...props.tableOperations], period })]),
      graph('Table system errors', [props.table.metricSystemErrorsForOperations({ operations: [...props.tableOperations], period })]),
    ]);
  }

  private addRow(title: string, widgets: cloudwatch.IWidget[]): void {
    this.dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: `## ${title}`, width: 4 * WIDTH, height: 1 }));
    this.dashboard.addWidgets(...widgets);
  }
}

function graph(title: string, left: cloudwatch.IMetric[], options: Partial<cloudwatch.GraphWidgetProps> = {}): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({ title, left, width: WIDTH, height: HEIGHT, ...options });
}

function apiGraphs({ api }: ServiceMetricsProps, period: Duration): cloudwatch.IWidget[] {
  return [
    graph('API requests', [api.metricCount({ period })]),
    graph('API 4xx', [api.metricClientError({ period })]),
    graph('API 5xx', [api.metricServerError({ period })]),
    graph(
      'API latency (ms)',
      ['p50', 'p90', 'p99'].map((p) => api.metricLatency({ statistic: p, period, label: p })),
    ),
  ];
}

function functionGraphs({ functions }: ServiceMetricsProps, period: Duration): cloudwatch.IWidget[] {
  const perFunction = (metricOf: (fn: lambda.IFunction, label: string) => cloudwatch.IMetric) =>
    Object.entries(functions).map(([name, fn]) => metricOf(fn, name));
  return [
    graph(
      'Lambda errors',
      perFunction((fn, label) => fn.metricErrors({ period, label })),
    ),
    graph(
      'Lambda throttles',
      perFunction((fn, label) => fn.metricThrottles({ period, label })),
    ),
    graph(
      'Lambda duration p99 (ms)',
      perFunction((fn, label) => fn.metricDuration({ statistic: cloudwatch.Stats.p(99), period, label })),
    ),
    graph(
      'Lambda concurrency (max)',
      perFunction((fn, label) => fn.metric('ConcurrentExecutions', { statistic: cloudwatch.Stats.MAXIMUM, period, label })),
    ),
  ];
}

/** Calls with their p99 latency, then the calls that failed: throttled past the SDK's retries, or not served. */
function dependencyGraphs(dependency: string, names: DependencyMetricNames, props: ServiceMetricsProps, period: Duration): cloudwatch.IWidget[] {
  return [
    graph(`${dependency} calls and p99 latency (ms)`, [serviceMetric(props, names.calls, { period, label: 'calls' })], {
      right: [serviceMetric(props, names.latency, { period, statistic: cloudwatch.Stats.p(99), label: 'p99 latency' })],
    }),
    graph(`${dependency} throttles and errors`, [
      serviceMetric(props, names.throttles, { period, label: 'throttled' }),
      serviceMetric(props, names.errors, { period, label: 'errors' }),
    ]),
  ];
}

/** One line per error code the functions answered with (a search: the codes present in the period). */
function errorsByCode({ service }: ServiceMetricsProps, period: Duration): cloudwatch.MathExpression {
  const { service: serviceKey, errorCode } = METRIC_DIMENSIONS;
  return new cloudwatch.MathExpression({
    expression: `SEARCH('{${METRICS_NAMESPACE},${serviceKey},${errorCode}} MetricName="${METRIC_NAMES.errors}" ${serviceKey}="${service}"', 'Sum', ${period.toSeconds()})`,
    label: '',
    period,
  });
}

import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { describe, expect, it } from 'vitest';
import { OperationsDashboard, type OperationsDashboardProps } from '../../../lib/constructs/operations-dashboard.js';
import { emptyStack } from './stacks.js';
import { SERVICE, watchedResources } from './watched-resources.js';

interface Widget {
  readonly type: 'metric' | 'text' | 'alarm';
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly properties: { readonly title?: string; readonly markdown?: string; readonly alarms?: unknown[]; readonly metrics?: unknown[][] };
}

/** The dashboard's widgets, its body's references rendered as `<ref>` (they sit inside JSON strings). */
function widgetsOf(stack: Stack, props: Partial<OperationsDashboardProps> = {}): Widget[] {
  new OperationsDashboard(stack, 'Operations', { ...watchedResources(stack), dashboardName: 'test-dashboard', ...props });
  const [dashboard] = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'));
  expect(dashboard!.Properties.DashboardName).toBe('test-dashboard');
  const body = dashboard!.Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] } | string;
  const text = typeof body === 'string' ? body : body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : '<ref>')).join('');
  return (JSON.parse(text) as { widgets: Widget[] }).widgets;
}

const graphs = (widgets: Widget[]) => widgets.filter((w) => w.type === 'metric');
const byTitle = (widgets: Widget[], title: string) => {
  const widget = widgets.find((w) => w.properties.title === title);
  expect(widget, title).toBeDefined();
  return widget!;
};

describe('OperationsDashboard', () => {
  it('lays out a row per layer, each under its heading and 24 columns wide', () => {
    const widgets = widgetsOf(emptyStack());
    const headings = widgets.filter((w) => w.type === 'text');
    expect(headings.map((w) => w.properties.markdown)).toEqual(['## API', '## Functions', '## KMS and the data-key cache', '## DynamoDB']);
    for (const heading of headings) {
      const row = graphs(widgets).filter((w) => w.y === heading.y + 1);
      expect(
        row.reduce((sum, w) => sum + w.width, 0),
        heading.properties.markdown,
      ).toBe(24);
    }
  });

  it("shows the API's requests, 4xx, 5xx and latency percentiles", () => {
    const widgets = widgetsOf(emptyStack());
    for (const [title, metricName] of [
      ['API requests', 'Count'],
      ['API 4xx', '4XXError'],
      ['API 5xx', '5XXError'],
    ]) {
      expect(byTitle(widgets, title!).properties.metrics).toEqual([['AWS/ApiGateway', metricName, 'ApiName', 'watched-api', expect.anything()]]);
    }
    const latency = byTitle(widgets, 'API latency (ms)').properties.metrics!;
    expect(latency.map((m) => (m.at(-1) as { stat: string }).stat)).toEqual(['p50', 'p90', 'p99']);
  });

  it("shows each function's errors, throttles, duration and concurrency, one line per function", () => {
    const widgets = widgetsOf(emptyStack());
    for (const [title, metricName] of [
      ['Lambda errors', 'Errors'],
      ['Lambda throttles', 'Throttles'],
      ['Lambda duration p99 (ms)', 'Duration'],
      ['Lambda concurrency (max)', 'ConcurrentExecutions'],
    ]) {
      const metrics = byTitle(widgets, title!).properties.metrics!;
      expect(
        metrics.map((m) => [m[0], m[1], (m.at(-1) as { label: string }).label]),
        title,
      ).toEqual([
        ['AWS/Lambda', metricName, 'keys'],
        ['AWS/Lambda', metricName, 'crypto'],
      ]);
    }
  });

  it("shows KMS calls, latency, throttles and errors from the service's own metrics, and the cache hit rate by metric math", () => {
    const widgets = widgetsOf(emptyStack());
    const serviceMetric = (name: string) => ['EnvelopeApi', name, 'service', SERVICE];
    const calls = byTitle(widgets, 'KMS calls and p99 latency (ms)').properties.metrics!;
    expect(calls.map((m) => m.slice(0, 4))).toEqual([serviceMetric('KmsCalls'), serviceMetric('KmsLatency')]);
    const failures = byTitle(widgets, 'KMS throttles and errors').properties.metrics!;
    expect(failures.map((m) => m.slice(0, 4))).toEqual([serviceMetric('KmsThrottles'), serviceMetric('KmsErrors')]);
    const hitRate = byTitle(widgets, 'Data-key cache hit rate (%)').properties.metrics!;
    expect(hitRate[0]).toEqual([expect.objectContaining({ expression: '100 * hits / (hits + misses)' })]);
    expect(hitRate.slice(1).map((m) => m.slice(0, 4))).toEqual([serviceMetric('CacheHit'), serviceMetric('CacheMiss')]);
    const byCode = byTitle(widgets, 'API errors by code').properties.metrics!;
    expect(byCode).toEqual([
      [expect.objectContaining({ expression: `SEARCH('{EnvelopeApi,service,errorCode} MetricName="Errors" service="${SERVICE}"', 'Sum', 300)` })],
    ]);
  });

  it("shows the table's throttled requests and system errors over the operations the functions call", () => {
    const widgets = widgetsOf(emptyStack());
    for (const [title, metricName] of [
      ['Table throttled requests', 'ThrottledRequests'],
      ['Table system errors', 'SystemErrors'],
    ]) {
      const metrics = byTitle(widgets, title!).properties.metrics!;
      const stats = metrics.filter((m) => m[0] === 'AWS/DynamoDB');
      expect(
        stats.map((m) => [m[1], m.includes('GetItem') || m.includes('PutItem')]),
        title,
      ).toEqual([
        [metricName, true],
        [metricName, true],
      ]);
    }
    expect(byTitle(widgets, 'DynamoDB calls and p99 latency (ms)').properties.metrics!.map((m) => m[1])).toEqual([
      'DynamoDbCalls',
      'DynamoDbLatency',
    ]);
  });

  it('shows the state of the alarms it is given, at the top', () => {
    const stack = emptyStack();
    const alarm = new cloudwatch.Alarm(stack, 'Alarm', {
      metric: new cloudwatch.Metric({ namespace: 'N', metricName: 'M' }),
      threshold: 1,
      evaluationPeriods: 1,
    });
    const widgets = widgetsOf(stack, { alarms: [alarm] });
    expect(widgets[0]).toMatchObject({ type: 'alarm', y: 0, properties: { alarms: ['<ref>'] } });
    expect(widgetsOf(emptyStack()).some((w) => w.type === 'alarm')).toBe(false);
  });
});

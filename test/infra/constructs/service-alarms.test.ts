import { CfnCondition, CfnParameter, Fn, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { METRIC_NAMES, METRICS_NAMESPACE } from '../../../lambdas/http/metrics.js';
import { ServiceAlarms, type ServiceAlarmsProps } from '../../../lib/constructs/service-alarms.js';
import { keyPolicyStatements, type PolicyStatement } from '../template-access.js';
import { emptyStack } from './stacks.js';
import { SERVICE, watchedResources } from './watched-resources.js';

function alarmsIn(stack: Stack, props: Partial<ServiceAlarmsProps> = {}) {
  const alarms = new ServiceAlarms(stack, 'Alarms', { ...watchedResources(stack), latencyP99ThresholdMs: 800, topicName: 'test-alarms', ...props });
  return { alarms, template: Template.fromStack(stack) };
}

/** The alarm's properties, found by the logical id CDK derives from its construct id. */
function alarmProperties(template: Template, id: string): Record<string, unknown> {
  const [properties] = Object.entries(template.findResources('AWS::CloudWatch::Alarm'))
    .filter(([logicalId]) => logicalId.startsWith(`Alarms${id}`))
    .map(([, resource]) => resource.Properties as Record<string, unknown>);
  expect(properties, id).toBeDefined();
  return properties!;
}

const metricMath = (properties: Record<string, unknown>) =>
  properties.Metrics as {
    Id: string;
    Expression?: string;
    MetricStat?: { Metric: { MetricName: string; Namespace: string }; Period: number; Stat: string };
  }[];

describe('ServiceAlarms', () => {
  it('creates six alarms, each notifying the topic when it fires and when it recovers, and quiet without data', () => {
    const { alarms, template } = alarmsIn(emptyStack());
    expect(alarms.alarms).toHaveLength(6);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 6);
    const topic = { Ref: Match.stringLikeRegexp('^AlarmsTopic') };
    template.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: [topic], OKActions: [topic], TreatMissingData: 'notBreaching' });
  });

  it('alarms on a 5xx rate above 1% for two 5-minute periods, counting only periods with at least 20 requests', () => {
    const properties = alarmProperties(alarmsIn(emptyStack()).template, 'ServerErrorRate');
    expect(properties).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 2 });
    const metrics = metricMath(properties);
    expect(metrics.find((m) => m.Expression)?.Expression).toBe('IF(requests >= 20, 100 * FILL(errors, 0) / requests, 0)');
    expect(metrics.filter((m) => m.MetricStat).map((m) => [m.MetricStat!.Metric.MetricName, m.MetricStat!.Period])).toEqual([
      ['Count', 300],
      ['5XXError', 300],
    ]);
  });

  it.each([
    ['FunctionThrottles', 'Throttles', 1],
    ['FunctionErrors', 'Errors', 5],
  ])("%s sums every function's %s per minute, from %d", (id, metricName, threshold) => {
    const properties = alarmProperties(alarmsIn(emptyStack()).template, id);
    expect(properties).toMatchObject({ Threshold: threshold, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 1 });
    const metrics = metricMath(properties);
    expect(metrics.find((m) => m.Expression)?.Expression).toBe('SUM([f0, f1])');
    expect(
      metrics.filter((m) => m.MetricStat).map((m) => [m.MetricStat!.Metric.Namespace, m.MetricStat!.Metric.MetricName, m.MetricStat!.Period]),
    ).toEqual([
      ['AWS/Lambda', metricName, 60],
      ['AWS/Lambda', metricName, 60],
    ]);
  });

  it("alarms on any KMS call throttled past the SDK's retries, from the service's own metric", () => {
    expect(alarmProperties(alarmsIn(emptyStack()).template, 'KmsThrottling')).toMatchObject({
      Namespace: METRICS_NAMESPACE,
      MetricName: METRIC_NAMES.kms.throttles,
      Dimensions: [{ Name: 'service', Value: SERVICE }],
      Statistic: 'Sum',
      Period: 60,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('alarms on 5 DynamoDB system errors in 5 minutes, over the operations the functions call', () => {
    const properties = alarmProperties(alarmsIn(emptyStack()).template, 'DynamoDbSystemErrors');
    expect(properties).toMatchObject({ Threshold: 5, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    const stats = metricMath(properties)
      .filter((m) => m.MetricStat)
      .map((m) => m.MetricStat!);
    expect(stats.map((s) => [s.Metric.Namespace, s.Metric.MetricName, s.Period])).toEqual([
      ['AWS/DynamoDB', 'SystemErrors', 300],
      ['AWS/DynamoDB', 'SystemErrors', 300],
    ]);
    expect(JSON.stringify(stats)).toContain('"GetItem"');
    expect(JSON.stringify(stats)).toContain('"PutItem"');
  });

  it("alarms on the API's p99 latency above the given threshold for 15 minutes", () => {
    expect(alarmProperties(alarmsIn(emptyStack()).template, 'LatencyP99')).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: 'Latency',
      ExtendedStatistic: 'p99',
      Period: 300,
      Threshold: 800,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
    });
  });

  it('publishes to a topic encrypted with a rotated customer-managed key, refusing anything but TLS', () => {
    const { template } = alarmsIn(emptyStack());
    template.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: 'test-alarms',
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlarmsTopicKey'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    const statements = Object.values(template.findResources('AWS::SNS::TopicPolicy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement as PolicyStatement[],
    );
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it("lets CloudWatch publish, and use the key, for this account's alarms and this topic only", () => {
    const { template } = alarmsIn(emptyStack());
    const arn = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });
    const fromAlarms = {
      StringEquals: { 'aws:SourceAccount': '111122223333' },
      ArnLike: { 'aws:SourceArn': arn(':cloudwatch:us-east-1:111122223333:alarm:*') },
    };
    const topicPolicy = Object.values(template.findResources('AWS::SNS::TopicPolicy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement as PolicyStatement[],
    );
    expect(topicPolicy).toContainEqual(
      expect.objectContaining({
        Sid: 'CloudWatchAlarmsPublish',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Condition: fromAlarms,
      }),
    );
    const keyStatement = keyPolicyStatements(template).find((s) => s.Sid === 'CloudWatchAlarmsPublishEncrypted');
    expect(keyStatement).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    });
    expect(keyStatement!.Condition).toEqual({
      ArnLike: fromAlarms.ArnLike,
      StringEquals: { ...fromAlarms.StringEquals, 'kms:EncryptionContext:aws:sns:topicArn': arn(':sns:us-east-1:111122223333:test-alarms') },
    });
  });

  it('subscribes an email address where its condition holds, and nothing without one', () => {
    const stack = emptyStack();
    const email = new CfnParameter(stack, 'Email', { default: '' });
    const given = new CfnCondition(stack, 'EmailGiven', { expression: Fn.conditionNot(Fn.conditionEquals(email.valueAsString, '')) });
    alarmsIn(stack, { email: { address: 'oncall@example.com', condition: given } }).template.hasResource('AWS::SNS::Subscription', {
      Properties: { Protocol: 'email', Endpoint: 'oncall@example.com', TopicArn: { Ref: Match.stringLikeRegexp('^AlarmsTopic') } },
      Condition: 'EmailGiven',
    });
    alarmsIn(emptyStack()).template.resourceCountIs('AWS::SNS::Subscription', 0);
  });
});

import { ArnFormat, Duration, Names, RemovalPolicy, Stack, Validations, type CfnCondition } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { METRIC_NAMES } from '../../lambdas/http/metrics.js';
import { FIVE_MINUTES, ONE_MINUTE, serviceMetric, sumOverFunctions, type ServiceMetricsProps } from './service-metrics.js';

export interface AlarmEmail {
  readonly address: string;
  /** Subscribes only where the condition holds (an optional deploy-time parameter). */
  readonly condition?: CfnCondition;
}

export interface ServiceAlarmsProps extends ServiceMetricsProps {
  /** The API's p99 latency, in ms, that alarms when exceeded for 15 minutes (may be a deploy-time parameter). */
  readonly latencyP99ThresholdMs: number;
  /**
   * An email address subscribed to the alarm topic.
   * @default - no subscription
   */
  readonly email?: AlarmEmail;
  /**
   * Name of the alarm topic: its key's policy names the topic's ARN, which would otherwise depend on the key.
   * @default - a name unique in the stack, derived from the construct path
   */
  readonly topicName?: string;
}

/** The API's answers that count toward the 5xx rate only once a period has at least this many requests. */
export const MIN_REQUESTS_FOR_ERROR_RATE = 20;
export const SERVER_ERROR_RATE_PERCENT = 1;
export const FUNCTION_ERROR_BURST = 5;
export const DYNAMODB_SYSTEM_ERRORS = 5;

/**
 * The alarms an operator acts on, each published (alarm and recovery) to an SNS topic this
 * construct creates: encrypted with a customer-managed key, since CloudWatch cannot publish to a
 * topic under the AWS managed key (its policy cannot be changed to let CloudWatch use it), and
 * refusing anything but TLS.
 */
export class ServiceAlarms extends Construct {
  readonly topic: sns.Topic;
  readonly topicKey: kms.Key;
  /** API 5xx answers above 1% of requests, for 10 minutes (periods with fewer than 20 requests do not count). */
  readonly serverErrorRate: cloudwatch.Alarm;
  /** Any throttled Lambda invocation, in any function. */
  readonly functionThrottles: cloudwatch.Alarm;
  /** A burst of failed Lambda invocations (crashes, timeouts): 5 in a minute across the functions. */
  readonly functionErrors: cloudwatch.Alarm;
  /** Any KMS call still throttled after the SDK's retries: callers got 429. */
  readonly kmsThrottling: cloudwatch.Alarm;
  /** DynamoDB system errors (HTTP 500 on the table): 5 in 5 minutes. */
  readonly dynamoDbSystemErrors: cloudwatch.Alarm;
  /** API p99 latency above the threshold for 15 minutes. */
  readonly latencyP99: cloudwatch.Alarm;
  readonly alarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: ServiceAlarmsProps) {
    super(scope, id);
    const topicName = props.topicName ?? Names.uniqueResourceName(this, { maxLength: 256 });
    this.topicKey = new kms.Key(this, 'TopicKey', {
      description: `Encrypts the alarm notifications of ${props.service}`,
      enableKeyRotation: true,
      // It protects notifications in transit only: nothing stored needs it once the topic is gone.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    Validations.of(this.topicKey).acknowledge({
      id: 'EnvelopeApi-CFN1',
      reason: 'The alarm topic key protects notifications in transit only: nothing stored is encrypted with it, so it goes with the stateless stack.',
    });
    this.topic = new sns.Topic(this, 'Topic', { topicName, displayName: `${props.service} alarms`, masterKey: this.topicKey, enforceSSL: true });
    this.allowCloudWatchToPublish(topicName);
    if (props.email) this.subscribe(props.email);

    const api = props.api;
    this.serverErrorRate = this.alarm('ServerErrorRate', {
      alarmDescription: `API 5xx answers above ${SERVER_ERROR_RATE_PERCENT}% of requests for 10 minutes.`,
      metric: new cloudwatch.MathExpression({
        label: 'API 5xx rate (%)',
        expression: `IF(requests >= ${MIN_REQUESTS_FOR_ERROR_RATE}, 100 * FILL(errors, 0) / requests, 0)`,
        usingMetrics: { requests: api.metricCount({ period: FIVE_MINUTES }), errors: api.metricServerError({ period: FIVE_MINUTES }) },
        period: FIVE_MINUTES,
      }),
      threshold: SERVER_ERROR_RATE_PERCENT,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 2,
    });
    this.functionThrottles = this.alarm('FunctionThrottles', {
      alarmDescription: 'A Lambda invocation was throttled (concurrency limit reached).',
      metric: sumOverFunctions(props, 'Throttles', (fn) => fn.metricThrottles({ period: ONE_MINUTE }), ONE_MINUTE),
      threshold: 1,
    });
    this.functionErrors = this.alarm('FunctionErrors', {
      alarmDescription: `${FUNCTION_ERROR_BURST} or more failed Lambda invocations (crash or timeout) in a minute.`,
      metric: sumOverFunctions(props, 'Errors', (fn) => fn.metricErrors({ period: ONE_MINUTE }), ONE_MINUTE),
      threshold: FUNCTION_ERROR_BURST,
    });
    this.kmsThrottling = this.alarm('KmsThrottling', {
      alarmDescription: "KMS throttled a call past the SDK's retries: callers were answered 429.",
      metric: serviceMetric(props, METRIC_NAMES.kms.throttles, { period: ONE_MINUTE }),
      threshold: 1,
    });
    this.dynamoDbSystemErrors = this.alarm('DynamoDbSystemErrors', {
      alarmDescription: `${DYNAMODB_SYSTEM_ERRORS} or more DynamoDB system errors on the data-key table in 5 minutes.`,
      metric: props.table.metricSystemErrorsForOperations({ operations: [...props.tableOperations], period: FIVE_MINUTES }),
      threshold: DYNAMODB_SYSTEM_ERRORS,
    });
    this.latencyP99 = this.alarm('LatencyP99', {
      alarmDescription: 'API p99 latency above the LatencyAlarmP99Ms threshold for 15 minutes.',
      metric: api.metricLatency({ statistic: cloudwatch.Stats.p(99), period: FIVE_MINUTES }),
      threshold: props.latencyP99ThresholdMs,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
    });
    this.alarms = [this.serverErrorRate, this.functionThrottles, this.functionErrors, this.kmsThrottling, this.dynamoDbSystemErrors, this.latencyP99];
  }

  /** An alarm that notifies the topic when it fires and when it recovers; no data is no trouble. */
  private alarm(id: string, props: Omit<cloudwatch.AlarmProps, 'evaluationPeriods'> & { evaluationPeriods?: number }): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      ...props,
    });
    const notify = new actions.SnsAction(this.topic);
    alarm.addAlarmAction(notify);
    alarm.addOkAction(notify);
    return alarm;
  }

  /**
   * CloudWatch publishes as its service principal, on behalf of this account's alarms: the topic
   * policy (which replaces SNS's default one) lets it publish, and the key's policy lets it use the
   * key for this topic alone (SNS names the topic in the encryption context).
   */
  private allowCloudWatchToPublish(topicName: string): void {
    const stack = Stack.of(this);
    const cloudWatch = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
    const fromThisAccountsAlarms = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: {
        'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
      },
    };
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [cloudWatch],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: fromThisAccountsAlarms,
      }),
    );
    const topicArn = stack.formatArn({ service: 'sns', resource: topicName });
    this.topicKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublishEncrypted',
        principals: [cloudWatch],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          ...fromThisAccountsAlarms,
          StringEquals: { ...fromThisAccountsAlarms.StringEquals, 'kms:EncryptionContext:aws:sns:topicArn': topicArn },
        },
      }),
    );
  }

  private subscribe({ address, condition }: AlarmEmail): void {
    const subscription = new sns.Subscription(this, 'Email', { topic: this.topic, protocol: sns.SubscriptionProtocol.EMAIL, endpoint: address });
    if (condition) (subscription.node.defaultChild as sns.CfnSubscription).cfnOptions.condition = condition;
  }
}

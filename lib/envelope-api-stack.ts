import { CfnCondition, CfnOutput, CfnParameter, Duration, Fn, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { API_ROUTES, HEALTH_PROBE_ITEM, VERSION_LAST_USED_ATTRIBUTE, type ApiFunctionName } from '../contract/index.js';
import { DEFAULT_CACHE_LIMITS } from '../lambdas/domain/data-key-provider.js';
import type { AuditTrail } from './constructs/audit-trail.js';
import type { DataKeyTable } from './constructs/data-key-table.js';
import { EnvelopeFunction } from './constructs/envelope-function.js';
import { EnvelopeRestApi } from './constructs/envelope-rest-api.js';
import type { MasterKey } from './constructs/master-key.js';
import { OperationsDashboard } from './constructs/operations-dashboard.js';
import { ServiceAlarms } from './constructs/service-alarms.js';
import type { ServiceMetricsProps } from './constructs/service-metrics.js';
import { functionEnvironment, type FunctionEnvironmentProps } from './function-environment.js';
import { API_FUNCTION_NAMES, API_FUNCTIONS, type FunctionRights } from './functions.js';
import { LOG_RETENTION_DAYS } from './log-retention.js';
import { nagRendering } from './nag-rendering.js';
import { callerPolicyName, functionRoleName, serviceName } from './naming.js';

export interface EnvelopeApiStackProps extends StackProps {
  readonly stage: string;
  /** The master key from the key stack. */
  readonly masterKey: MasterKey;
  /** The data-key table, from the data stack. */
  readonly table: DataKeyTable;
  /** The audit log group and key, from the data stack. */
  readonly auditTrail: AuditTrail;
  /**
   * Principals of other accounts that may invoke the API, besides this account's callers.
   * @default []
   */
  readonly crossAccountCallers?: readonly string[];
}

/**
 * The stateless part of a stage: the handlers, the REST API, the caller policies, alarms and the
 * dashboard, over the master key (key stack) and the table and audit trail (data stack). It holds
 * nothing that must survive it: destroy and deploy it again at will.
 */
export class EnvelopeApiStack extends Stack {
  readonly api: EnvelopeRestApi;
  readonly table: DataKeyTable;
  readonly auditTrail: AuditTrail;
  readonly functions: Record<ApiFunctionName, EnvelopeFunction>;
  readonly alarms: ServiceAlarms;
  readonly dashboard: OperationsDashboard;

  constructor(scope: Construct, id: string, props: EnvelopeApiStackProps) {
    super(scope, id, props);
    const params = this.parameters();
    this.table = props.table;
    this.auditTrail = props.auditTrail;
    const resources: FunctionEnvironmentProps = {
      serviceName: serviceName(props.stage),
      tableName: this.table.tableName,
      masterKeyArn: props.masterKey.keyArn,
      auditTrail: { sink: { logGroupName: this.auditTrail.logGroup.logGroupName }, key: { secretArn: this.auditTrail.auditKey.secretArn } },
      dataKeySettings: { cacheMaxAgeSeconds: params.cacheMaxAgeSeconds.valueAsString },
    };
    this.functions = Object.fromEntries(
      API_FUNCTION_NAMES.map((name) => {
        const fn = this.createFunction(name, props.stage, params.logRetentionInDays.valueAsNumber, resources);
        this.grantRights(fn, API_FUNCTIONS[name].rights, props.masterKey);
        return [name, fn];
      }),
    ) as Record<ApiFunctionName, EnvelopeFunction>;

    this.api = new EnvelopeRestApi(this, 'Api', {
      restApiName: serviceName(props.stage),
      stageName: props.stage,
      routes: API_ROUTES,
      handlers: Object.fromEntries(Object.entries(this.functions).map(([name, fn]) => [name, fn.function])) as Record<
        ApiFunctionName,
        EnvelopeFunction['function']
      >,
      throttlingRateLimit: params.throttlingRateLimit.valueAsNumber,
      throttlingBurstLimit: params.throttlingBurstLimit.valueAsNumber,
      logRetentionInDays: params.logRetentionInDays.valueAsNumber,
      crossAccountCallers: props.crossAccountCallers,
    });
    this.callerPolicies(props.stage);
    const { alarms, dashboard } = this.operations(props.stage, params);
    this.alarms = alarms;
    this.dashboard = dashboard;
    this.acknowledgeFindings();
    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL of the API' });
  }

  /** A function as API_FUNCTIONS describes it, with the variables its rights call for. */
  private createFunction(name: ApiFunctionName, stage: string, logRetentionInDays: number, resources: FunctionEnvironmentProps): EnvelopeFunction {
    const { entry, timeoutSeconds, memorySize, rights } = API_FUNCTIONS[name];
    return new EnvelopeFunction(this, `${name[0]!.toUpperCase()}${name.slice(1)}Function`, {
      entry,
      description: `Envelope API (${stage}): ${name}`,
      roleName: functionRoleName(stage, this.region, name),
      logRetentionInDays,
      memorySize,
      timeout: Duration.seconds(timeoutSeconds),
      environment: functionEnvironment(rights, resources),
    });
  }

  /** Exactly the function's rights on the master key, the table and the audit trail. */
  private grantRights(fn: EnvelopeFunction, rights: FunctionRights, masterKey: MasterKey): void {
    if (rights.masterKey !== undefined) masterKey.grant(fn, rights.masterKey);
    if (rights.table !== undefined) this.table.grantItemActions(fn, ...rights.table);
    if (rights.versionUsage) this.table.grantAttributeUpdates(fn, [VERSION_LAST_USED_ATTRIBUTE]);
    if (rights.audited) {
      this.auditTrail.grantWrite(fn);
      this.auditTrail.grantReadKey(fn);
    }
    if (rights.dependencyChecks) {
      this.table.grantReadsOfPartitions(fn, [HEALTH_PROBE_ITEM.partitionKey], 'dynamodb:GetItem');
      this.auditTrail.grantListStreams(fn);
    }
  }

  /** The alarms (to an SNS topic, optionally to an email address) and the dashboard over the same metrics. */
  private operations(stage: string, params: ReturnType<EnvelopeApiStack['parameters']>) {
    const watched: ServiceMetricsProps = {
      api: this.api.api,
      functions: Object.fromEntries(Object.entries(this.functions).map(([name, fn]) => [name, fn.function])),
      table: this.table.table,
      tableOperations: tableOperations(),
      service: serviceName(stage),
    };
    const emailGiven = new CfnCondition(this, 'AlarmEmailGiven', {
      expression: Fn.conditionNot(Fn.conditionEquals(params.alarmEmail.valueAsString, '')),
    });
    const alarms = new ServiceAlarms(this, 'Alarms', {
      ...watched,
      topicName: `${serviceName(stage)}-alarms`,
      latencyP99ThresholdMs: params.latencyAlarmP99Ms.valueAsNumber,
      email: { address: params.alarmEmail.valueAsString, condition: emailGiven },
    });
    const dashboard = new OperationsDashboard(this, 'Operations', { ...watched, dashboardName: serviceName(stage) });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: alarms.topic.topicArn,
      description: 'SNS topic every alarm notifies (subscribe on-call tools here)',
    });
    new CfnOutput(this, 'DashboardName', { value: serviceName(stage), description: 'CloudWatch dashboard of the service' });
    return { alarms, dashboard };
  }

  /** Managed policies teams attach to their roles: one to use data keys, one to manage them. */
  private callerPolicies(stage: string): void {
    const audiences = [
      { id: 'DataUserPolicy', policy: 'dataUser', audience: 'dataUsers', description: 'Call encrypt, decrypt and rewrap' },
      { id: 'KeyManagerPolicy', policy: 'keyManager', audience: 'keyManagers', description: 'Create, list, describe and manage data keys' },
      {
        id: 'OperatorPolicy',
        policy: 'operator',
        audience: 'operators',
        description: "Read the master key's status, check the service's dependencies and query the audit trail",
      },
    ] as const;
    for (const { id, policy: name, audience, description } of audiences) {
      const statement = this.api.invokeStatement(API_ROUTES.filter((route) => route.audience === audience));
      const policy = new iam.ManagedPolicy(this, id, {
        managedPolicyName: callerPolicyName(stage, this.region, name),
        description: `Envelope API (${stage}): ${description}`,
        statements: [statement, ...(name === 'operator' ? this.auditTrail.queryStatements() : [])],
      });
      for (const resource of statement.resources.map((arn) => nagRendering(this, arn)).filter((arn) => arn.includes('/*'))) {
        Validations.of(policy).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${resource}]`,
          reason: "API Gateway matches a method ARN against the request's actual path: the wildcard stands for one route's path parameter ({key}).",
        });
      }
      if (name === 'operator') this.acknowledgeAuditQueryWildcards(policy);
      new CfnOutput(this, `${id}Arn`, { value: policy.managedPolicyArn, description: `Attach to roles that ${description.toLowerCase()}` });
    }
  }

  /** The operators' Logs Insights queries (the web console's Activity page) name wildcards only where IAM knows no narrower resource. */
  private acknowledgeAuditQueryWildcards(policy: iam.ManagedPolicy): void {
    const resources = this.auditTrail.queryStatements().flatMap((statement) => statement.resources.map((arn) => nagRendering(this, arn)));
    for (const resource of resources.filter((arn) => arn.endsWith('*'))) {
      Validations.of(policy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${resource}]`,
        reason:
          "IAM scopes logs:GetQueryResults and logs:DescribeQueryDefinitions to no resource ('*' only); `log-group:<audit group>:*` is the audit group's own streams, which StartQuery may be matched against.",
      });
    }
  }

  private parameters() {
    return {
      logRetentionInDays: new CfnParameter(this, 'LogRetentionInDays', {
        type: 'Number',
        default: '365',
        allowedValues: LOG_RETENTION_DAYS,
        description: 'Days to keep function logs and API access logs.',
      }),
      throttlingRateLimit: new CfnParameter(this, 'ThrottlingRateLimit', {
        type: 'Number',
        default: 1000,
        minValue: 1,
        maxValue: 100000,
        description: 'Steady-state requests per second the API stage accepts.',
      }),
      throttlingBurstLimit: new CfnParameter(this, 'ThrottlingBurstLimit', {
        type: 'Number',
        default: 2000,
        minValue: 1,
        maxValue: 100000,
        description: 'Burst of requests the API stage accepts.',
      }),
      alarmEmail: new CfnParameter(this, 'AlarmEmail', {
        type: 'String',
        default: '',
        allowedPattern: '^$|^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$',
        constraintDescription: 'an email address, or empty',
        description: 'Email address subscribed to the alarm topic (it must confirm the subscription); empty: no subscription.',
      }),
      latencyAlarmP99Ms: new CfnParameter(this, 'LatencyAlarmP99Ms', {
        type: 'Number',
        default: 1000,
        minValue: 50,
        maxValue: 29000,
        description: 'API p99 latency (ms) that raises the latency alarm when exceeded for 15 minutes.',
      }),
      cacheMaxAgeSeconds: new CfnParameter(this, 'CacheMaxAgeSeconds', {
        type: 'Number',
        default: DEFAULT_CACHE_LIMITS.maxAgeSeconds,
        minValue: 0,
        maxValue: 3600,
        description:
          'How long a function may reuse an unwrapped data key and a key record (0 turns caching off). A disabled master key, a disabled data key or a revoked user can go unnoticed this long.',
      }),
    };
  }

  private acknowledgeFindings(): void {
    const reasons: [string, string][] = [
      [
        'AwsSolutions-IAM5[Resource::*]',
        'X-Ray tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords on "*": X-Ray has no resource-level permissions. Log writes are scoped to each function\'s own log group.',
      ],
      [
        'AwsSolutions-APIG3',
        'The API is regional and every data route requires SigV4 (IAM) auth; WAF is left to the deploying account, which can associate a web ACL with the stage.',
      ],
      [
        'AwsSolutions-APIG6',
        'Access logs (JSON) are on for the stage; execution logging needs the account-wide API Gateway CloudWatch role, which the platform team manages per account.',
      ],
      ['AwsSolutions-COG4', 'Callers are AWS principals authenticated with SigV4 (IAM auth), not Cognito users.'],
    ];
    for (const [id, reason] of reasons) Validations.of(this).acknowledge({ id, reason });
  }
}

/** The table operations the functions are granted, as DynamoDB names them in its metrics. */
function tableOperations(): dynamodb.Operation[] {
  const actions = Object.values(API_FUNCTIONS).flatMap(({ rights }) => rights.table ?? []);
  return [...new Set(actions)].map((action) => action.replace(/^dynamodb:/, '') as dynamodb.Operation);
}

import { ArnFormat, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export interface AuditTrailProps {
  /** The audit log group's name, fixed so that the key's policy can name the group in advance. */
  readonly logGroupName: string;
  /** Days to keep audit records (may be a deploy-time parameter). */
  readonly retentionInDays: number;
  /**
   * Encrypts the log group and the audit key secret. Its policy must let CloudWatch Logs use it
   * for this log group (`kms:EncryptionContext:aws:logs:arn`), as StorageKey's `logGroupArns` does.
   */
  readonly encryptionKey: kms.IKey;
  /** The audit key secret's name. */
  readonly secretName: string;
  /** Prefix of the saved Logs Insights queries' names (`<prefix>/who-used-a-key`). */
  readonly queryFolder: string;
  /**
   * Audit records and the key that hashes them outlive the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** The saved queries, by name: each filters on the audit record's fields (lambdas/domain/audit-record.ts). */
export const AUDIT_QUERIES = {
  'who-used-a-key': [
    'fields @timestamp, caller, operation, outcome, keyVersions, batch.items, sourceIp',
    '| filter category = "use" and @message like "REPLACE-WITH-KEY-ID"',
    '| sort @timestamp desc',
  ],
  'what-a-principal-did': [
    'fields @timestamp, operation, route, keyIds.0, outcome, status, sourceIp, userAgent',
    '| filter caller = "REPLACE-WITH-PRINCIPAL-ARN"',
    '| sort @timestamp desc',
  ],
  'all-denials': [
    'fields @timestamp, caller, operation, keyIds.0, outcome, sourceIp',
    '| filter outcome = "AccessDenied" or @message like /"outcome":"AccessDenied"/',
    '| sort @timestamp desc',
  ],
  'all-admin-changes': [
    'fields @timestamp, caller, operation, keyIds.0, outcome, change.admins.0, change.users.0, change.grantee, change.grantId',
    '| filter category = "change"',
    '| sort @timestamp desc',
  ],
} as const;

/**
 * Where the functions' audit records go: a log group of its own (CMK-encrypted, retained, with its
 * own retention), the per-deployment key that hashes the sensitive values in them (a Secrets
 * Manager secret under the same key), and saved Logs Insights queries over them.
 */
export class AuditTrail extends Construct {
  readonly logGroup: logs.LogGroup;
  readonly auditKey: secretsmanager.Secret;
  private readonly encryptionKey: kms.IKey;
  private readonly logGroupName: string;

  constructor(scope: Construct, id: string, props: AuditTrailProps) {
    super(scope, id);
    this.encryptionKey = props.encryptionKey;
    this.logGroupName = props.logGroupName;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.logGroup = new logs.LogGroup(this, 'Records', { logGroupName: props.logGroupName, encryptionKey: props.encryptionKey, removalPolicy });
    // LogGroup takes retention as an enum: a parameter goes through the L1 property.
    (this.logGroup.node.defaultChild as logs.CfnLogGroup).retentionInDays = props.retentionInDays;
    this.auditKey = new secretsmanager.Secret(this, 'Key', {
      secretName: props.secretName,
      description: 'HMAC key of the Envelope API audit trail: hashes aliases and context values in audit records',
      // By reference: given the key itself, Secret would add a statement to its policy that StorageKey already has.
      encryptionKey: kms.Key.fromKeyArn(this, 'EncryptionKey', props.encryptionKey.keyArn),
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy,
    });
    Validations.of(this.auditKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The audit key is not rotated: records keep the hashes made with the key of their day, and finding a value means hashing it with that key. Replace it by hand (and keep the old value) if it leaks.',
    });
    for (const [name, lines] of Object.entries(AUDIT_QUERIES)) {
      new logs.CfnQueryDefinition(this, name, {
        name: `${props.queryFolder}/${name}`,
        queryString: lines.join('\n'),
        logGroupNames: [props.logGroupName],
      });
    }
  }

  /** Writing records: creating a log stream in the audit log group and putting events into it; nothing else. */
  grantWrite(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resourceArns: [this.logGroup.logGroupArn],
    });
  }

  /** Listing the audit log group's streams (their names and times, no record): enough to tell the group is reachable. */
  grantListStreams(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['logs:DescribeLogStreams'], resourceArns: [this.logGroup.logGroupArn] });
  }

  /**
   * Running Logs Insights queries over the records, as the web console's Activity page does:
   * StartQuery on this group alone (named both ways IAM may match it: the group, and its streams);
   * reading a query's results and listing the saved queries, which IAM scopes to no resource.
   */
  queryStatements(): iam.PolicyStatement[] {
    const group = Stack.of(this).formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: this.logGroupName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    return [
      new iam.PolicyStatement({ actions: ['logs:StartQuery'], resources: [group, `${group}:*`] }),
      new iam.PolicyStatement({ actions: ['logs:GetQueryResults', 'logs:DescribeQueryDefinitions'], resources: ['*'] }),
    ];
  }

  /** Reading the audit key: GetSecretValue on the one secret, and Decrypt under its key only through Secrets Manager, for that secret. */
  grantReadKey(grantee: iam.IGrantable): iam.Grant {
    const stack = Stack.of(this);
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['secretsmanager:GetSecretValue'],
      resourceArns: [this.auditKey.secretArn],
    }).combine(
      iam.Grant.addToPrincipal({
        grantee,
        actions: ['kms:Decrypt'],
        resourceArns: [this.encryptionKey.keyArn],
        conditions: {
          StringEquals: {
            'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com`,
            'kms:EncryptionContext:SecretARN': this.auditKey.secretArn,
          },
        },
      }),
    );
  }
}

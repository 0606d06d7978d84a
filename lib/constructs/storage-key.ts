import { Aws, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface StorageKeyProps {
  readonly alias: string;
  readonly description: string;
  /**
   * Log groups, by ARN, that CloudWatch Logs may encrypt with the key (bound to each group by
   * `kms:EncryptionContext:aws:logs:arn`).
   * @default none
   */
  readonly logGroupArns?: readonly string[];
  /**
   * The table, the audit trail and the audit key are unreadable without it.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** What an AWS service does with the key on a caller's behalf when it encrypts stored data. */
const AT_REST_ACTIONS = [
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:DescribeKey',
  'kms:CreateGrant',
];

/**
 * The customer-managed key that encrypts what the service stores at rest (the data-key table, the
 * audit log group, the audit key secret), apart from the master key that wraps data keys. DynamoDB
 * makes a table whose key is disabled inaccessible and archives it after seven days; with a key of
 * its own, no operation on the master key (disabling it, deleting its imported material, scheduling
 * its deletion) can reach the table, the audit trail or the secret. Rotated yearly by KMS. Its
 * policy lets the account's IAM policies decide (so IAM stays usable), and the services use it
 * only on behalf of this account (`kms:ViaService`, `kms:CallerAccount`) or, for CloudWatch Logs,
 * only for the named log groups.
 */
export class StorageKey extends Construct {
  readonly key: kms.Key;
  readonly alias: kms.Alias;
  readonly keyArn: string;

  constructor(scope: Construct, id: string, props: StorageKeyProps) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: props.description,
      enableKeyRotation: true,
      policy: this.keyPolicy(props),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.keyArn = this.key.keyArn;
    this.alias = this.key.addAlias(props.alias);
    Tags.of(this.key).add('envelope-api:role', 'storage-key');
  }

  private keyPolicy(props: StorageKeyProps): iam.PolicyDocument {
    const region = Stack.of(this).region;
    const account = new iam.AccountRootPrincipal();
    const viaService = (service: string) => ({
      StringEquals: { 'kms:ViaService': `${service}.${region}.amazonaws.com`, 'kms:CallerAccount': Aws.ACCOUNT_ID },
    });
    const statements = [
      new iam.PolicyStatement({ sid: 'EnableIamPolicies', principals: [account], actions: ['kms:*'], resources: ['*'] }),
      new iam.PolicyStatement({
        sid: 'TableEncryptionThroughDynamoDB',
        principals: [account],
        actions: AT_REST_ACTIONS,
        resources: ['*'],
        conditions: viaService('dynamodb'),
      }),
      new iam.PolicyStatement({
        sid: 'SecretEncryptionThroughSecretsManager',
        principals: [account],
        actions: AT_REST_ACTIONS,
        resources: ['*'],
        conditions: viaService('secretsmanager'),
      }),
      ...(props.logGroupArns?.length
        ? [
            new iam.PolicyStatement({
              sid: 'LogGroupEncryptionThroughCloudWatchLogs',
              principals: [new iam.ServicePrincipal(`logs.${region}.amazonaws.com`)],
              actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:DescribeKey'],
              resources: ['*'],
              conditions: { ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': [...props.logGroupArns] } },
            }),
          ]
        : []),
    ];
    return new iam.PolicyDocument({ statements });
  }
}

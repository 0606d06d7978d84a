import { CfnOutput, CfnParameter, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { AuditTrail } from './constructs/audit-trail.js';
import { DataKeyTable } from './constructs/data-key-table.js';
import { StorageKey } from './constructs/storage-key.js';
import { LOG_RETENTION_DAYS } from './log-retention.js';
import { auditKeySecretName, auditLogGroupName, dataKeyTableName, serviceName, storageKeyAlias } from './naming.js';

export interface EnvelopeDataStackProps extends StackProps {
  /** Names and separates deployments: `dev`, `prod`, ... */
  readonly stage: string;
  /**
   * The data-key table's name. Set it to adopt a table that already exists (the upgrade from two
   * stacks, whose table had a generated name), with `cdk deploy --import-existing-resources`.
   * @default `envelope-api-<stage>-data-keys`
   */
  readonly tableName?: string;
}

/**
 * What the service stores, in a stack of its own with termination protection, apart from the
 * functions and the API (which can be destroyed and deployed again at will) and from the master
 * key: the data-key table, the audit trail and the audit key, under a storage key of their own.
 * Everything here is retained and has a fixed name, so a redeployed API stack finds the same table.
 */
export class EnvelopeDataStack extends Stack {
  readonly storageKey: StorageKey;
  readonly table: DataKeyTable;
  readonly auditTrail: AuditTrail;

  constructor(scope: Construct, id: string, props: EnvelopeDataStackProps) {
    super(scope, id, { terminationProtection: true, ...props });
    const auditRetentionInDays = new CfnParameter(this, 'AuditRetentionInDays', {
      type: 'Number',
      default: '3653',
      allowedValues: LOG_RETENTION_DAYS,
      description: 'Days to keep audit records (the audit log group is retained when the stack is deleted).',
    });
    const logGroupName = auditLogGroupName(props.stage);
    this.storageKey = new StorageKey(this, 'StorageKey', {
      alias: storageKeyAlias(props.stage),
      description: `Envelope API (${props.stage}): encrypts the data-key table, the audit log group and the audit key at rest`,
      logGroupArns: [`arn:${this.partition}:logs:${this.region}:${this.account}:log-group:${logGroupName}`],
    });
    this.table = new DataKeyTable(this, 'DataKeys', {
      encryptionKey: this.storageKey.key,
      tableName: props.tableName ?? dataKeyTableName(props.stage),
    });
    this.auditTrail = new AuditTrail(this, 'Audit', {
      logGroupName,
      retentionInDays: auditRetentionInDays.valueAsNumber,
      encryptionKey: this.storageKey.key,
      secretName: auditKeySecretName(props.stage),
      queryFolder: `${serviceName(props.stage)}/audit`,
    });
    new CfnOutput(this, 'DataKeyTableName', { value: this.table.tableName, description: 'The data-key table (wrapped keys only)' });
    new CfnOutput(this, 'StorageKeyArn', { value: this.storageKey.keyArn, description: 'ARN of the key that encrypts the stored data at rest' });
    new CfnOutput(this, 'AuditLogGroupName', { value: logGroupName, description: 'The audit trail' });
  }
}

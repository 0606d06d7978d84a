import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { TABLE_SCHEMA } from '../../contract/index.js';

export interface DataKeyTableProps {
  /** The customer-managed key the table is encrypted with. */
  readonly encryptionKey: kms.IKey;
  /**
   * @default - a name CloudFormation generates
   */
  readonly tableName?: string;
  /**
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** What DynamoDB does with the table's key on a reader's or writer's behalf. */
const TABLE_KEY_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'];
/** What DynamoDB does with the table's key on a reader's behalf: it decrypts the table key, and writes nothing. */
const TABLE_KEY_READ_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey'];

/** The item actions that only read. */
export type ItemReadAction = 'dynamodb:GetItem' | 'dynamodb:BatchGetItem' | 'dynamodb:Query';

/**
 * The table of data keys: metadata and wrapped keys only, never plaintext. On-demand, encrypted
 * with the storage key (never the master key), point-in-time recovery, deletion protection, retained on stack deletion.
 */
export class DataKeyTable extends Construct {
  readonly table: dynamodb.Table;
  readonly tableName: string;
  readonly tableArn: string;
  private readonly encryptionKey: kms.IKey;

  constructor(scope: Construct, id: string, props: DataKeyTableProps) {
    super(scope, id);
    this.encryptionKey = props.encryptionKey;
    this.table = new dynamodb.Table(this, 'Table', {
      tableName: props.tableName,
      partitionKey: { name: TABLE_SCHEMA.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_SCHEMA.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.encryptionKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      timeToLiveAttribute: TABLE_SCHEMA.timeToLiveAttribute,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.tableName = this.table.tableName;
    this.tableArn = this.table.tableArn;
  }

  /**
   * Grants item actions on the table, and the use of its key through DynamoDB only
   * (`kms:ViaService`). CDK's `grantReadWriteData` would grant the key's use unconditionally: a
   * direct `kms:Decrypt` with the storage key is nothing a function needs.
   */
  grantItemActions(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return this.grantItems(grantee, actions, TABLE_KEY_ACTIONS);
  }

  /**
   * Grants reads of the items of the given partitions only: `dynamodb:LeadingKeys` holds the
   * partition key values a request names, with `ForAllValues` as DynamoDB requires for it, and
   * `Null` so that a request naming none is not allowed by the empty set (`ForAllValues` holds
   * for it). The table's key only as a reader needs it, through DynamoDB only.
   */
  grantReadsOfPartitions(grantee: iam.IGrantable, partitionKeys: readonly string[], ...actions: ItemReadAction[]): iam.Grant {
    return this.grantItems(grantee, actions, TABLE_KEY_READ_ACTIONS, {
      'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [...partitionKeys] },
      Null: { 'dynamodb:LeadingKeys': 'false' },
    });
  }

  /**
   * Grants UpdateItem of the given attributes only: `dynamodb:Attributes` holds every top-level
   * attribute a request names, the item's key among them (`ForAllValues`, as the DynamoDB
   * Developer Guide's "Using IAM policy conditions for fine-grained access control" writes a
   * write-only grant), with `Null` so that a request naming none is not allowed by the empty set,
   * and no values may come back (`dynamodb:ReturnValues`). The table's key as a writer needs it,
   * through DynamoDB only.
   */
  grantAttributeUpdates(grantee: iam.IGrantable, attributes: readonly string[]): iam.Grant {
    return this.grantItems(grantee, ['dynamodb:UpdateItem'], TABLE_KEY_ACTIONS, {
      'ForAllValues:StringEquals': { 'dynamodb:Attributes': [TABLE_SCHEMA.partitionKey, TABLE_SCHEMA.sortKey, ...attributes] },
      Null: { 'dynamodb:Attributes': 'false' },
      StringEqualsIfExists: { 'dynamodb:ReturnValues': 'NONE' },
    });
  }

  private grantItems(
    grantee: iam.IGrantable,
    actions: string[],
    keyActions: string[],
    conditions?: Record<string, Record<string, unknown>>,
  ): iam.Grant {
    iam.Grant.addToPrincipal({
      grantee,
      actions: keyActions,
      resourceArns: [this.encryptionKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(this).region}.amazonaws.com` } },
    });
    return iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [this.tableArn], conditions });
  }
}

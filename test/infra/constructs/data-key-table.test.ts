import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import { TABLE_SCHEMA } from '../../../contract/index.js';
import { DataKeyTable } from '../../../lib/constructs/data-key-table.js';
import { identityStatements } from '../template-access.js';
import { emptyStack } from './stacks.js';

function tableWithReader() {
  const stack = emptyStack();
  const key = new kms.Key(stack, 'Key');
  const table = new DataKeyTable(stack, 'Table', { encryptionKey: key });
  const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  table.grantItemActions(reader, 'dynamodb:GetItem');
  return { stack, table, template: Template.fromStack(stack) };
}

describe('DataKeyTable', () => {
  it("defaults to the contract's key schema, on demand, encrypted with the given key, recoverable and retained", () => {
    const { template } = tableWithReader();
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({
        KeySchema: [
          { AttributeName: TABLE_SCHEMA.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE_SCHEMA.sortKey, KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        TimeToLiveSpecification: { AttributeName: TABLE_SCHEMA.timeToLiveAttribute, Enabled: true },
      }),
      DeletionPolicy: 'Retain',
    });
  });

  it('takes a fixed name, for a table that outlives any stack that uses it, and leaves it to CloudFormation otherwise', () => {
    const stack = emptyStack();
    new DataKeyTable(stack, 'Named', { encryptionKey: new kms.Key(stack, 'Key'), tableName: 'envelope-api-test-data-keys' });
    Template.fromStack(stack).hasResourceProperties('AWS::DynamoDB::Table', { TableName: 'envelope-api-test-data-keys' });
    const { template } = tableWithReader();
    expect(Object.values(template.findResources('AWS::DynamoDB::Table'))[0]!.Properties.TableName).toBeUndefined();
  });

  it('takes a removal policy', () => {
    const stack = emptyStack();
    new DataKeyTable(stack, 'Table', { encryptionKey: new kms.Key(stack, 'Key'), removalPolicy: RemovalPolicy.DESTROY });
    Template.fromStack(stack).hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
  });

  it("grants item actions on the table and the key's use through DynamoDB only", () => {
    const { stack, table, template } = tableWithReader();
    const statements = identityStatements(template);
    expect(statements).toHaveLength(2);
    const onTable = statements.find((s) => s.Action === 'dynamodb:GetItem')!;
    expect(onTable.Resource).toEqual(stack.resolve(table.tableArn));
    const onKey = statements.find((s) => s !== onTable)!;
    expect(onKey.Condition).toEqual({ StringEquals: { 'kms:ViaService': 'dynamodb.us-east-1.amazonaws.com' } });
    expect([onKey.Action].flat().sort()).toEqual(['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey']);
  });

  it('grants reads of some partitions only, by dynamodb:LeadingKeys, and the key as a reader needs it', () => {
    const stack = emptyStack();
    const table = new DataKeyTable(stack, 'Table', { encryptionKey: new kms.Key(stack, 'Key') });
    const prober = new iam.Role(stack, 'Prober', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    table.grantReadsOfPartitions(prober, ['HEALTH#probe'], 'dynamodb:GetItem');
    const statements = identityStatements(Template.fromStack(stack));
    const onTable = statements.find((s) => s.Action === 'dynamodb:GetItem')!;
    expect(onTable.Condition).toEqual({
      'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['HEALTH#probe'] },
      Null: { 'dynamodb:LeadingKeys': 'false' },
    });
    const onKey = statements.find((s) => s !== onTable)!;
    expect(onKey.Condition).toEqual({ StringEquals: { 'kms:ViaService': 'dynamodb.us-east-1.amazonaws.com' } });
    expect([onKey.Action].flat().sort()).toEqual(['kms:Decrypt', 'kms:DescribeKey']);
  });
});

import { Fn, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import { findingsOf, testStack } from './findings.js';

const RULE = 'EnvelopeApi-DDB1';
const partitionKey = { name: 'pk', type: dynamodb.AttributeType.STRING };
const keySchema = [{ attributeName: 'pk', keyType: 'HASH' }];
const attributeDefinitions = [{ attributeName: 'pk', attributeType: 'S' }];

/** Whether the rule reports the one table of a fresh stack, built by `build` (TableV2 replicas need a Region). */
function reports(build: (stack: ReturnType<typeof testStack>) => void): boolean {
  const stack = testStack({ account: '111122223333' });
  build(stack);
  return findingsOf(stack, RULE).includes(RULE);
}

describe('DynamoDBCustomerManagedKey (EnvelopeApi-DDB1)', () => {
  it('reports tables under an AWS owned or AWS managed key', () => {
    expect(reports((stack) => new dynamodb.Table(stack, 'Owned', { partitionKey, removalPolicy: RemovalPolicy.DESTROY }))).toBe(true);
    expect(reports((stack) => new dynamodb.Table(stack, 'Managed', { partitionKey, encryption: dynamodb.TableEncryption.AWS_MANAGED }))).toBe(true);
    expect(reports((stack) => new dynamodb.TableV2(stack, 'OwnedV2', { partitionKey }))).toBe(true);
    expect(
      reports((stack) => new dynamodb.TableV2(stack, 'ManagedV2', { partitionKey, encryption: dynamodb.TableEncryptionV2.awsManagedKey() })),
    ).toBe(true);
    expect(
      reports(
        (stack) =>
          new dynamodb.CfnTable(stack, 'Alias', {
            keySchema,
            attributeDefinitions,
            sseSpecification: { sseEnabled: true, sseType: 'KMS', kmsMasterKeyId: 'alias/aws/dynamodb' },
          }),
      ),
    ).toBe(true);
    expect(
      reports(
        (stack) =>
          new dynamodb.CfnGlobalTable(stack, 'OneReplicaManaged', {
            keySchema,
            attributeDefinitions,
            sseSpecification: { sseEnabled: true, sseType: 'KMS' },
            replicas: [
              { region: 'us-east-1', sseSpecification: { kmsMasterKeyId: 'arn:aws:kms:us-east-1:111122223333:key/1' } },
              { region: 'eu-west-1' },
            ],
          }),
      ),
    ).toBe(true);
  });

  it('reports settings decided at deploy time, which it cannot prove', () => {
    expect(
      reports(
        (stack) =>
          new dynamodb.CfnTable(stack, 'Parameter', {
            keySchema,
            attributeDefinitions,
            sseSpecification: { sseEnabled: Fn.ref('Encrypt') as unknown as boolean, sseType: 'KMS', kmsMasterKeyId: 'k' },
          }),
      ),
    ).toBe(true);
  });

  it('accepts tables and global tables under a customer-managed key', () => {
    expect(
      reports(
        (stack) =>
          new dynamodb.Table(stack, 'Table', {
            partitionKey,
            encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
            encryptionKey: new kms.Key(stack, 'Key'),
          }),
      ),
    ).toBe(false);
    expect(
      reports(
        (stack) =>
          new dynamodb.TableV2(stack, 'TableV2', {
            partitionKey,
            encryption: dynamodb.TableEncryptionV2.customerManagedKey(new kms.Key(stack, 'Key')),
          }),
      ),
    ).toBe(false);
    expect(
      reports(
        (stack) =>
          new dynamodb.CfnTable(stack, 'Imported', {
            keySchema,
            attributeDefinitions,
            sseSpecification: { sseEnabled: true, sseType: 'KMS', kmsMasterKeyId: Fn.importValue('MasterKeyArn') },
          }),
      ),
    ).toBe(false);
  });
});

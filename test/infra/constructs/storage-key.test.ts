import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { StorageKey, type StorageKeyProps } from '../../../lib/constructs/storage-key.js';
import { actionsOf, keyPolicyStatements } from '../template-access.js';
import { emptyStack } from './stacks.js';

const LOG_GROUP_ARN = 'arn:aws:logs:us-east-1:111122223333:log-group:/envelope-api-test/audit';

function storageKey(overrides: Partial<StorageKeyProps> = {}) {
  const stack = emptyStack();
  const key = new StorageKey(stack, 'Storage', { alias: 'alias/test-storage', description: 'test', logGroupArns: [LOG_GROUP_ARN], ...overrides });
  return { stack, key, template: Template.fromStack(stack) };
}

const statement = (template: Template, sid: string) => {
  const found = keyPolicyStatements(template).find((s) => s.Sid === sid);
  expect(found, sid).toBeDefined();
  return found!;
};

const ACCOUNT_ROOT = { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111122223333:root']] } };

describe('StorageKey', () => {
  it('is a retained key rotated by KMS, with its alias and role tag', () => {
    const { template } = storageKey();
    template.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({ EnableKeyRotation: true, Tags: [{ Key: 'envelope-api:role', Value: 'storage-key' }] }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/test-storage' });
  });

  it('takes a removal policy', () => {
    storageKey({ removalPolicy: RemovalPolicy.DESTROY }).template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
  });

  it('lets IAM policies of the account decide, with kms:* for the account root alone', () => {
    const { template } = storageKey();
    const wildcard = keyPolicyStatements(template).filter((s) => actionsOf(s).some((a) => a.includes('*')));
    expect(wildcard.map((s) => s.Sid)).toEqual(['EnableIamPolicies']);
    expect(wildcard[0]!.Principal).toEqual(ACCOUNT_ROOT);
    expect(wildcard[0]!.Condition).toBeUndefined();
  });

  it.each([
    ['TableEncryptionThroughDynamoDB', 'dynamodb'],
    ['SecretEncryptionThroughSecretsManager', 'secretsmanager'],
  ])('%s: the account uses it through %s only, on its own behalf', (sid, service) => {
    const found = statement(storageKey().template, sid);
    expect(found.Principal).toEqual(ACCOUNT_ROOT);
    expect(found.Condition).toEqual({
      StringEquals: { 'kms:ViaService': `${service}.us-east-1.amazonaws.com`, 'kms:CallerAccount': { Ref: 'AWS::AccountId' } },
    });
    expect(actionsOf(found)).toEqual(
      expect.arrayContaining(['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey', 'kms:CreateGrant']),
    );
  });

  it('lets CloudWatch Logs of the region use it for the named log groups only, without grants', () => {
    const found = statement(storageKey().template, 'LogGroupEncryptionThroughCloudWatchLogs');
    expect(found.Principal).toEqual({ Service: 'logs.us-east-1.amazonaws.com' });
    expect(found.Condition).toEqual({ ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': [LOG_GROUP_ARN] } });
    expect(actionsOf(found)).not.toContain('kms:CreateGrant');
    expect(actionsOf(found)).toEqual(expect.arrayContaining(['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey']));
  });

  it('lets CloudWatch Logs use it for no log group when none is named', () => {
    for (const logGroupArns of [undefined, []]) {
      const statements = keyPolicyStatements(storageKey({ logGroupArns }).template);
      expect(statements.map((s) => s.Sid)).toEqual(['EnableIamPolicies', 'TableEncryptionThroughDynamoDB', 'SecretEncryptionThroughSecretsManager']);
      expect(JSON.stringify(statements)).not.toContain('logs.');
    }
  });
});

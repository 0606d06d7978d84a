import { Fn } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import { KMS_CRYPTOGRAPHIC_ACTIONS } from '../../lib/rules/KMSEncryptionContextRequired.js';
import { findingsOf, testStack } from './findings.js';

const RULE = 'EnvelopeApi-KMS2';
const findings = (...actions: string[]) => actions.map((action) => `${RULE}[Action::${action}]`).sort();

const contextBound = { StringEquals: { 'kms:EncryptionContext:tenant': 'a' } };
const viaDynamoDb = { StringEquals: { 'kms:ViaService': 'dynamodb.us-east-1.amazonaws.com' } };

function roleWith(statement: iam.PolicyStatement) {
  const stack = testStack();
  new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }).addToPolicy(statement);
  return stack;
}

function keyWith(...statements: iam.PolicyStatement[]) {
  const stack = testStack({ account: '111122223333' });
  new kms.Key(stack, 'Key', { policy: new iam.PolicyDocument({ statements }) });
  return stack;
}

describe('KMSEncryptionContextRequired (EnvelopeApi-KMS2)', () => {
  describe('identity policies', () => {
    it('report each cryptographic action granted without a context or ViaService condition', () => {
      const stack = testStack();
      const key = new kms.Key(stack, 'Key');
      key.grantEncryptDecrypt(new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }));
      // kms:Decrypt, kms:Encrypt, kms:GenerateDataKey*, kms:ReEncrypt*
      expect(findingsOf(stack, RULE)).toEqual(findings(...KMS_CRYPTOGRAPHIC_ACTIONS));
    });

    it('read wildcards and NotAction for the actions they grant', () => {
      const pattern = roleWith(new iam.PolicyStatement({ actions: ['kms:GenerateDataKey*'], resources: ['*'] }));
      expect(findingsOf(pattern, RULE)).toEqual(
        findings('kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:GenerateDataKeyPair', 'kms:GenerateDataKeyPairWithoutPlaintext'),
      );
      const notAction = roleWith(
        new iam.PolicyStatement({ notActions: ['kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'], resources: ['*'] }),
      );
      expect(findingsOf(notAction, RULE)).toEqual(findings('kms:Decrypt'));
    });

    it('do not count a condition the request may leave out (IfExists, Null true)', () => {
      const ifExists = roleWith(
        new iam.PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: ['*'],
          conditions: { StringEqualsIfExists: { 'kms:ViaService': 'dynamodb.us-east-1.amazonaws.com' } },
        }),
      );
      expect(findingsOf(ifExists, RULE)).toEqual(findings('kms:Decrypt'));
      const absent = roleWith(
        new iam.PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: ['*'],
          conditions: { Null: { 'kms:EncryptionContext:tenant': 'true' } },
        }),
      );
      expect(findingsOf(absent, RULE)).toEqual(findings('kms:Decrypt'));
    });

    it('accept context-bound and ViaService statements, other KMS actions and Deny statements', () => {
      const stack = testStack();
      const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
      role.addToPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:Encrypt'], resources: ['*'], conditions: contextBound }));
      role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['kms:GenerateDataKeyWithoutPlaintext'],
          resources: ['*'],
          conditions: { 'ForAllValues:StringEquals': { 'KMS:EncryptionContextKeys': ['tenant'] } },
        }),
      );
      role.addToPolicy(
        new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], resources: ['*'], conditions: viaDynamoDb }),
      );
      role.addToPolicy(new iam.PolicyStatement({ actions: ['kms:DescribeKey', 'kms:GetKeyRotationStatus'], resources: ['*'] }));
      role.addToPolicy(new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['kms:*'], resources: ['*'] }));
      expect(findingsOf(stack, RULE)).toEqual([]);
    });
  });

  describe('key policies', () => {
    it('report key users granted cryptographic actions without a context condition', () => {
      const stack = keyWith(
        new iam.PolicyStatement({
          principals: [new iam.ArnPrincipal('arn:aws:iam::111122223333:role/app')],
          actions: ['kms:Decrypt'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          principals: [new iam.AccountRootPrincipal()],
          actions: ['kms:Encrypt'],
          resources: ['*'],
          conditions: { ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/app' } },
        }),
        new iam.PolicyStatement({ principals: [new iam.AccountPrincipal('444455556666')], actions: ['kms:ReEncrypt*'], resources: ['*'] }),
      );
      expect(findingsOf(stack, RULE)).toEqual(findings('kms:Decrypt', 'kms:Encrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'));
    });

    it("leave the statement enabling IAM policies of the key's own account to those policies", () => {
      const byArn = keyWith(new iam.PolicyStatement({ principals: [new iam.AccountRootPrincipal()], actions: ['kms:*'], resources: ['*'] }));
      expect(findingsOf(byArn, RULE)).toEqual([]);
      const byId = keyWith(new iam.PolicyStatement({ principals: [new iam.AccountPrincipal('111122223333')], actions: ['kms:*'], resources: ['*'] }));
      expect(findingsOf(byId, RULE)).toEqual([]);
      const defaultPolicy = testStack();
      new kms.Key(defaultPolicy, 'Key');
      expect(findingsOf(defaultPolicy, RULE)).toEqual([]);
    });

    it('accept context-bound key users, DynamoDB through kms:ViaService and administrators without cryptographic actions', () => {
      const account = new iam.AccountRootPrincipal();
      const stack = keyWith(
        new iam.PolicyStatement({ principals: [account], actions: ['kms:*'], resources: ['*'] }),
        new iam.PolicyStatement({
          principals: [new iam.ArnPrincipal('arn:aws:iam::111122223333:role/admin')],
          actions: ['kms:DescribeKey', 'kms:ScheduleKeyDeletion'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          principals: [account],
          actions: ['kms:Decrypt'],
          resources: ['*'],
          conditions: {
            ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/crypto' },
            'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['dataKeyId'] },
            Null: { 'kms:EncryptionContext:dataKeyId': 'false' },
          },
        }),
        new iam.PolicyStatement({
          principals: [account],
          actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:CreateGrant'],
          resources: ['*'],
          conditions: { StringEquals: { ...viaDynamoDb.StringEquals, 'kms:CallerAccount': '111122223333' } },
        }),
      );
      expect(findingsOf(stack, RULE)).toEqual([]);
    });

    it('read a policy given as intrinsics without throwing', () => {
      const stack = testStack();
      new kms.CfnKey(stack, 'Key', {
        keyPolicy: {
          Statement: [
            { Effect: 'Allow', Principal: Fn.conditionIf('Cond', '*', 'arn:aws:iam::111122223333:root'), Action: 'kms:Decrypt', Resource: '*' },
            { Effect: 'Allow', Principal: { AWS: Fn.importValue('Admins') }, Action: [Fn.ref('Action')], Resource: '*', Condition: Fn.ref('X') },
          ],
        },
      });
      expect(findingsOf(stack, RULE)).toEqual(findings('kms:Decrypt'));
    });
  });
});

import { CfnCondition, Fn } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { KMS_CONTEXT_KEYS } from '../../../contract/index.js';
import { MasterKey, type MasterKeyProps } from '../../../lib/constructs/master-key.js';
import { actionsOf, identityStatements, keyPolicyStatements } from '../template-access.js';
import { emptyStack } from './stacks.js';

function masterKey(overrides: Partial<MasterKeyProps> = {}) {
  const stack = emptyStack();
  const key = new MasterKey(stack, 'Master', {
    alias: 'alias/test',
    description: 'test',
    pendingWindowInDays: 30,
    rotationPeriodInDays: 365,
    rotationEnabled: new CfnCondition(stack, 'On', { expression: Fn.conditionEquals('true', 'true') }),
    administrators: new iam.ArnPrincipal('arn:aws:iam::111122223333:role/admin'),
    users: [{ roleArn: 'arn:aws:iam::111122223333:role/app', actions: ['kms:Decrypt'], contextBound: true }],
    ...overrides,
  });
  return { stack, key };
}

const contextConditions = {
  'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': Object.values(KMS_CONTEXT_KEYS) },
  Null: Object.fromEntries(Object.values(KMS_CONTEXT_KEYS).map((k) => [`kms:EncryptionContext:${k}`, 'false'])),
};

describe('MasterKey', () => {
  it('is a retained symmetric key with its alias and rotation under the given condition', () => {
    const template = Template.fromStack(masterKey().stack);
    template.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({ KeySpec: 'SYMMETRIC_DEFAULT', EnableKeyRotation: { 'Fn::If': ['On', true, false] }, PendingWindowInDays: 30 }),
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/test' });
  });

  it('separates administrators, who get no cryptographic action, from users bound to the context keys', () => {
    const statements = keyPolicyStatements(Template.fromStack(masterKey().stack));
    const admins = statements.find((s) => s.Sid === 'KeyAdministrators')!;
    expect(actionsOf(admins).filter((a) => /Encrypt|Decrypt|GenerateDataKey/.test(a))).toEqual([]);
    const user = statements.find((s) => s.Sid === 'ApplicationRole0')!;
    expect(actionsOf(user)).toEqual(['kms:Decrypt']);
    expect(user.Condition).toEqual({ ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/app' }, ...contextConditions });
  });

  it("lets no AWS service use it on anyone's behalf: it wraps data keys and encrypts nothing stored", () => {
    const statements = keyPolicyStatements(Template.fromStack(masterKey().stack));
    expect(statements.map((s) => s.Sid)).toEqual(['EnableIamPolicies', 'KeyAdministrators', 'ApplicationRole0']);
    for (const statement of statements) {
      expect(JSON.stringify(statement.Principal), statement.Sid).not.toContain('Service');
      expect(Object.keys(statement.Condition?.StringEquals ?? {}), statement.Sid).not.toContain('kms:ViaService');
    }
  });

  it('refuses a pending window KMS does not allow', () => {
    expect(() => masterKey({ pendingWindowInDays: 6 })).toThrow(/between 7 and 30/);
  });

  it("grants context-bound use, and metadata actions without context, in the grantee's policy", () => {
    const { stack, key } = masterKey();
    const role = new iam.Role(stack, 'App', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    key.grant(role, { actions: ['kms:Decrypt'], contextBound: true });
    key.grant(role, { actions: ['kms:DescribeKey'], contextBound: false });
    const statements = identityStatements(Template.fromStack(stack));
    expect(statements.find((s) => s.Action === 'kms:Decrypt')!.Condition).toEqual(contextConditions);
    expect(statements.find((s) => s.Action === 'kms:DescribeKey')!.Condition).toBeUndefined();
  });
});

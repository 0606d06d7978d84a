import { Fn, Lazy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { findingsOf, testStack } from './findings.js';

const RULE = 'EnvelopeApi-KMS1';
const lambdaRole = (scope: Construct, id: string) => new iam.Role(scope, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
const allow = (actions: string[], resources = ['*']) => new iam.PolicyStatement({ actions, resources });

describe('KMSNoWildcardActions (EnvelopeApi-KMS1)', () => {
  it("reports each wildcard KMS action of a role's policy, a managed policy and an inline policy", () => {
    const stack = testStack();
    lambdaRole(stack, 'Default').addToPolicy(allow(['kms:*', 'kms:Decrypt']));
    new iam.ManagedPolicy(stack, 'Managed', { statements: [allow(['kms:Re*', 'KMS:Generate*'])] });
    new iam.Role(stack, 'Inline', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      inlinePolicies: { all: new iam.PolicyDocument({ statements: [allow(['*'])] }) },
    });
    new iam.CfnUserPolicy(stack, 'UserPolicy', {
      userName: 'someone',
      policyName: 'p',
      policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt?', Resource: '*' }] },
    });
    expect(findingsOf(stack, RULE)).toEqual([
      `${RULE}[Action::*]`,
      `${RULE}[Action::KMS:Generate*]`,
      `${RULE}[Action::kms:*]`,
      `${RULE}[Action::kms:Decrypt?]`,
      `${RULE}[Action::kms:Re*]`,
    ]);
  });

  it('reports an Allow with NotAction that leaves KMS in', () => {
    const stack = testStack();
    lambdaRole(stack, 'Role').addToPolicy(new iam.PolicyStatement({ notActions: ['iam:*', 's3:*'], resources: ['*'] }));
    expect(findingsOf(stack, RULE)).toEqual([`${RULE}[NotAction::iam:*,s3:*]`]);
  });

  it('accepts named KMS actions, wildcards of other services, Deny statements and NotAction excluding KMS', () => {
    const stack = testStack();
    const role = lambdaRole(stack, 'Role');
    role.addToPolicy(allow(['kms:Decrypt', 'kms:GenerateDataKeyWithoutPlaintext', 's3:Get*', 'dynamodb:*']));
    role.addToPolicy(new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['kms:*'], resources: ['*'] }));
    role.addToPolicy(new iam.PolicyStatement({ notActions: ['kms:*', 'iam:*'], resources: ['*'] }));
    expect(findingsOf(stack, RULE)).toEqual([]);
  });

  it('leaves key policies to the key: the account root may hold kms:* there', () => {
    const stack = testStack();
    new kms.Key(stack, 'Key');
    expect(findingsOf(stack, RULE)).toEqual([]);
  });

  it('reads actions and documents that CDK tokens and intrinsics render as objects without throwing', () => {
    const stack = testStack();
    new iam.CfnPolicy(stack, 'Tokens', {
      policyName: 'tokens',
      roles: ['r'],
      policyDocument: {
        Statement: [
          { Effect: 'Allow', Action: Fn.conditionIf('Cond', 'kms:Decrypt', 's3:GetObject'), Resource: '*' },
          { Effect: 'Allow', Action: [Lazy.string({ produce: () => 'kms:Encrypt' })], Resource: '*', Condition: Fn.conditionIf('Cond', {}, {}) },
          'not a statement',
        ],
      },
    });
    new iam.CfnManagedPolicy(stack, 'Text', { policyDocument: '{"Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}' });
    new iam.CfnManagedPolicy(stack, 'Broken', { policyDocument: '{not json' });
    expect(findingsOf(stack, RULE)).toEqual([`${RULE}[Action::kms:*]`]);
  });
});

import { Fn } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { findingsOf, testStack } from './findings.js';

const RULE = 'EnvelopeApi-IAM1';

describe('IAMNoAwsManagedPolicies (EnvelopeApi-IAM1)', () => {
  it('reports AWS managed policies of roles, users and groups, however the partition is written', () => {
    const stack = testStack();
    new iam.Role(stack, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole')],
    });
    new iam.CfnUser(stack, 'User', { managedPolicyArns: ['arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess'] });
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub template.
    new iam.CfnGroup(stack, 'Group', { managedPolicyArns: [Fn.sub('arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess')] });
    expect(findingsOf(stack, RULE)).toEqual([
      `${RULE}[Policy::arn:<AWS::Partition>:iam::aws:policy/AdministratorAccess]`,
      `${RULE}[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]`,
      `${RULE}[Policy::arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess]`,
    ]);
  });

  it('reports the execution role a Lambda function creates for itself', () => {
    const stack = testStack();
    new lambda.Function(stack, 'Function', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = 1'),
    });
    expect(findingsOf(stack, RULE)).toEqual([`${RULE}[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]`]);
  });

  it('accepts customer managed policies, of this stack, by name or by parameter', () => {
    const stack = testStack();
    const own = new iam.ManagedPolicy(stack, 'Own', { statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] })] });
    new iam.Role(stack, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      managedPolicies: [own, iam.ManagedPolicy.fromManagedPolicyName(stack, 'Named', 'team-policy')],
    });
    new iam.CfnUser(stack, 'User', { managedPolicyArns: ['arn:aws:iam::111122223333:policy/aws/not-aws-managed', Fn.ref('PolicyArn')] });
    new iam.CfnGroup(stack, 'Group', {});
    expect(findingsOf(stack, RULE)).toEqual([]);
  });
});

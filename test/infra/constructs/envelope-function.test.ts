import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { EnvelopeFunction } from '../../../lib/constructs/envelope-function.js';
import { actionsOf, identityStatements, resourcesOf } from '../template-access.js';
import { emptyStack } from './stacks.js';

const build = (props: Partial<ConstructorParameters<typeof EnvelopeFunction>[2]> = {}) => {
  const stack = emptyStack();
  const fn = new EnvelopeFunction(stack, 'Fn', { entry: 'lambdas/health.ts', roleName: 'test-health', logRetentionInDays: 7, ...props });
  return { stack, fn };
};

describe('EnvelopeFunction', () => {
  it('defaults to Node.js 24 on arm64, 1024 MB, 10 s, active tracing and its own retained log group', () => {
    const template = Template.fromStack(build().stack);
    const [fn] = Object.values(resourcesOf(template, 'AWS::Lambda::Function'));
    expect(fn).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], MemorySize: 1024, Timeout: 10 });
    template.hasResourceProperties('AWS::Lambda::Function', { TracingConfig: { Mode: 'Active' } });
    template.hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 7 }, DeletionPolicy: 'Retain' });
  });

  it('takes memory and timeout', () => {
    const template = Template.fromStack(build({ memorySize: 256, timeout: Duration.seconds(3) }).stack);
    expect(Object.values(resourcesOf(template, 'AWS::Lambda::Function'))[0]).toMatchObject({ MemorySize: 256, Timeout: 3 });
  });

  it('starts with a role of its own that may only write its logs and traces, and is grantable', () => {
    const { stack, fn } = build();
    iam.Grant.addToPrincipal({ grantee: fn, actions: ['sqs:SendMessage'], resourceArns: ['arn:aws:sqs:us-east-1:111122223333:q'] });
    const template = Template.fromStack(stack);
    expect(Object.values(resourcesOf(template, 'AWS::IAM::Role'))[0]).toMatchObject({ RoleName: 'test-health' });
    const services = identityStatements(template)
      .flatMap(actionsOf)
      .map((a) => a.split(':')[0]);
    expect([...new Set(services)].sort()).toEqual(['logs', 'sqs', 'xray']);
  });
});

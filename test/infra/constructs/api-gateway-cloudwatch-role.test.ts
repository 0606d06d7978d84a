import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ApiGatewayCloudWatchRole } from '../../../lib/constructs/api-gateway-cloudwatch-role.js';
import { actionsOf, identityStatements, PUSH_TO_CLOUDWATCH_LOGS_ACTIONS } from '../template-access.js';
import { emptyStack } from './stacks.js';

function cloudWatchRole() {
  const stack = emptyStack();
  const construct = new ApiGatewayCloudWatchRole(stack, 'CloudWatchRole');
  return { stack, construct, template: Template.fromStack(stack) };
}

describe('ApiGatewayCloudWatchRole', () => {
  it('is a retained role that API Gateway alone may assume, without AWS managed policies', () => {
    const { template } = cloudWatchRole();
    const roles = Object.values(template.findResources('AWS::IAM::Role'));
    expect(roles).toHaveLength(1);
    expect(roles[0]).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(roles[0]!.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'apigateway.amazonaws.com' } },
    ]);
    expect(roles[0]!.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it("may do what AmazonAPIGatewayPushToCloudWatchLogs allows, on this account's log groups in this region only, and nothing with any stage's audit log group", () => {
    const { template } = cloudWatchRole();
    const statements = identityStatements(template);
    expect(statements).toHaveLength(2);
    const [allow, deny] = [statements.find((s) => s.Effect === 'Allow')!, statements.find((s) => s.Effect === 'Deny')!];
    expect(actionsOf(allow).sort()).toEqual([...PUSH_TO_CLOUDWATCH_LOGS_ACTIONS].sort());
    expect(allow.Resource).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:us-east-1:111122223333:*']] });
    expect(actionsOf(deny)).toEqual(['logs:*']);
    const auditGroups = ['arn:', { Ref: 'AWS::Partition' }, ':logs:us-east-1:111122223333:log-group:/envelope-api-*/audit'];
    expect(deny.Resource).toEqual([{ 'Fn::Join': ['', auditGroups] }, { 'Fn::Join': ['', [...auditGroups.slice(0, 2), `${auditGroups[2]}:*`]] }]);
  });

  it("sets the role in the region's API Gateway account settings, retained, after the role's policy", () => {
    const { stack, construct, template } = cloudWatchRole();
    const settings = Object.values(template.findResources('AWS::ApiGateway::Account'));
    expect(settings).toHaveLength(1);
    expect(settings[0]).toMatchObject({
      Properties: { CloudWatchRoleArn: stack.resolve(construct.role.roleArn) },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    const [policyId] = Object.keys(template.findResources('AWS::IAM::Policy'));
    expect(settings[0]!.DependsOn).toEqual(expect.arrayContaining([policyId]));
  });
});

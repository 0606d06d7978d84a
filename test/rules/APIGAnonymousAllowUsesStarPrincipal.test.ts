import { Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import { NagRuleCompliance } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { APIGAnonymousAllowUsesStarPrincipal } from '../../lib/rules/index.js';
import { findingsOf, testStack } from './findings.js';

const RULE = 'EnvelopeApi-APIG1';
const invoke = (principal: iam.IPrincipal, effect = iam.Effect.ALLOW) =>
  new iam.PolicyStatement({ effect, principals: [principal], actions: ['execute-api:Invoke'], resources: ['execute-api:/*'] });

function apiWith(...statements: iam.PolicyStatement[]) {
  const stack = testStack();
  const api = new apigateway.RestApi(stack, 'Api', {
    cloudWatchRole: false,
    policy: statements.length > 0 ? new iam.PolicyDocument({ statements }) : undefined,
  });
  api.root.addMethod('GET', new apigateway.MockIntegration());
  return { stack, cfnApi: api.node.defaultChild as apigateway.CfnRestApi };
}

describe('APIGAnonymousAllowUsesStarPrincipal (EnvelopeApi-APIG1)', () => {
  it('reads the principals CDK synthesizes: AnyPrincipal is {"AWS": "*"}, StarPrincipal is "*"', () => {
    const { stack } = apiWith(invoke(new iam.AnyPrincipal()), invoke(new iam.StarPrincipal()));
    const [api] = Object.values(Template.fromStack(stack).findResources('AWS::ApiGateway::RestApi'));
    expect(api?.Properties.Policy.Statement.map((statement: { Principal: unknown }) => statement.Principal)).toEqual([{ AWS: '*' }, '*']);
  });

  it('reports an Allow to {"AWS": "*"}, alone, in a list or in a policy given as JSON text', () => {
    expect(findingsOf(apiWith(invoke(new iam.AnyPrincipal())).stack, RULE)).toEqual([RULE]);
    const statement = { Effect: 'Allow', Action: 'execute-api:Invoke', Resource: 'execute-api:/*' };
    const list = testStack();
    new apigateway.CfnRestApi(list, 'Api', {
      policy: { Statement: [{ ...statement, Principal: { AWS: ['arn:aws:iam::111122223333:root', '*'] } }] },
    });
    expect(findingsOf(list, RULE)).toEqual([RULE]);
    const text = testStack();
    new apigateway.CfnRestApi(text, 'Api', { policy: JSON.stringify({ Statement: [{ ...statement, Principal: { AWS: '*' } }] }) });
    expect(findingsOf(text, RULE)).toEqual([RULE]);
  });

  it('accepts "*" for anonymous callers, named AWS principals, and a Deny to {"AWS": "*"}', () => {
    const { stack, cfnApi } = apiWith(
      invoke(new iam.StarPrincipal()),
      invoke(new iam.AccountRootPrincipal()),
      invoke(new iam.ArnPrincipal('arn:aws:iam::444455556666:role/caller')),
      invoke(new iam.AnyPrincipal(), iam.Effect.DENY),
    );
    expect(findingsOf(stack, RULE)).toEqual([]);
    expect(APIGAnonymousAllowUsesStarPrincipal(cfnApi)).toBe(NagRuleCompliance.COMPLIANT);
  });

  it('does not apply to an API without a resource policy, nor to other resources', () => {
    const { stack, cfnApi } = apiWith();
    expect(APIGAnonymousAllowUsesStarPrincipal(cfnApi)).toBe(NagRuleCompliance.NOT_APPLICABLE);
    expect(findingsOf(stack, RULE)).toEqual([]);
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AnyPrincipal() });
    expect(APIGAnonymousAllowUsesStarPrincipal(role.node.defaultChild as iam.CfnRole)).toBe(NagRuleCompliance.NOT_APPLICABLE);
  });
});

import { Aws, CfnCondition, CfnParameter, Fn, type Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import { NagRuleCompliance } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { APIGResourcePolicyFixedAtSynth } from '../../lib/rules/index.js';
import { findingsOf, testStack } from './findings.js';

const RULE = 'EnvelopeApi-APIG2';
const statement = (principal: unknown, resource: unknown = 'execute-api:/*') => ({
  Effect: 'Allow',
  Principal: { AWS: principal },
  Action: 'execute-api:Invoke',
  Resource: resource,
});

/** Whether the rule reports a CfnRestApi whose policy `build` writes into a fresh stack. */
function reports(build: (stack: Stack) => unknown): boolean {
  const stack = testStack();
  new apigateway.CfnRestApi(stack, 'Api', { name: 'api', policy: { Version: '2012-10-17', Statement: [build(stack)] } });
  return findingsOf(stack, RULE).includes(RULE);
}

const parameter = (stack: Stack, id = 'Callers') => new CfnParameter(stack, id, { type: 'String' });

describe('APIGResourcePolicyFixedAtSynth (EnvelopeApi-APIG2)', () => {
  it('reports a policy naming a parameter by Ref, inside Fn::Join or in Fn::Sub', () => {
    expect(reports((stack) => statement(parameter(stack).valueAsString))).toBe(true);
    expect(reports((stack) => statement(`arn:aws:iam::${parameter(stack).valueAsString}:root`))).toBe(true);
    expect(
      reports((stack) => {
        parameter(stack, 'CallerAccount');
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub template.
        return statement(Fn.sub('arn:${AWS::Partition}:iam::${CallerAccount}:root'));
      }),
    ).toBe(true);
  });

  it('reports a policy decided by a condition over a parameter, however deep the conditions nest', () => {
    expect(
      reports((stack) => {
        const open = new CfnCondition(stack, 'Open', { expression: Fn.conditionEquals(parameter(stack).valueAsString, 'true') });
        return statement(Fn.conditionIf(open.logicalId, '*', Aws.ACCOUNT_ID));
      }),
    ).toBe(true);
    expect(
      reports((stack) => {
        const inner = new CfnCondition(stack, 'Inner', { expression: Fn.conditionEquals(parameter(stack).valueAsString, 'true') });
        const outer = new CfnCondition(stack, 'Outer', {
          expression: Fn.conditionNot(Fn.conditionAnd(inner, Fn.conditionEquals(Aws.REGION, 'eu-west-1'))),
        });
        return statement(Aws.ACCOUNT_ID, Fn.conditionIf(outer.logicalId, 'execute-api:/*', Aws.NO_VALUE));
      }),
    ).toBe(true);
  });

  it('reports the L2 RestApi given a parameter-driven principal', () => {
    const stack = testStack();
    const api = new apigateway.RestApi(stack, 'Api', {
      cloudWatchRole: false,
      policy: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            principals: [new iam.ArnPrincipal(parameter(stack).valueAsString)],
            actions: ['execute-api:Invoke'],
            resources: ['execute-api:/*'],
          }),
        ],
      }),
    });
    api.root.addMethod('GET', new apigateway.MockIntegration());
    expect(findingsOf(stack, RULE)).toEqual([RULE]);
  });

  it('accepts literals, pseudo parameters, conditions over them, and parameters used elsewhere in the stack', () => {
    expect(reports(() => statement('arn:aws:iam::111122223333:root'))).toBe(false);
    expect(reports(() => statement(`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:root`))).toBe(false);
    expect(
      reports((stack) => {
        const home = new CfnCondition(stack, 'Home', { expression: Fn.conditionEquals(Aws.REGION, 'us-east-1') });
        parameter(stack);
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub template with a variable of its own.
        return statement(Fn.conditionIf(home.logicalId, Fn.sub('arn:aws:iam::${Callers}:root', { Callers: '111122223333' }), Aws.ACCOUNT_ID));
      }),
    ).toBe(false);
  });

  it('does not apply to an API without a resource policy, nor to other resources', () => {
    const stack = testStack();
    const api = new apigateway.RestApi(stack, 'Api', { cloudWatchRole: false });
    api.root.addMethod('GET', new apigateway.MockIntegration());
    expect(APIGResourcePolicyFixedAtSynth(api.node.defaultChild as apigateway.CfnRestApi)).toBe(NagRuleCompliance.NOT_APPLICABLE);
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ArnPrincipal(parameter(stack).valueAsString) });
    expect(APIGResourcePolicyFixedAtSynth(role.node.defaultChild as iam.CfnRole)).toBe(NagRuleCompliance.NOT_APPLICABLE);
    expect(findingsOf(stack, RULE)).toEqual([]);
  });
});

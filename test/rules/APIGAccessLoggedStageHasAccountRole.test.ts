import { App, Fn, Stack, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as logs from 'aws-cdk-lib/aws-logs';
import { NagRuleCompliance } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { APIGAccessLoggedStageHasAccountRole } from '../../lib/rules/index.js';
import { findingsOf, testStack } from './findings.js';

const RULE = 'EnvelopeApi-APIG3';

/** A REST API with one method and a stage deployed with `deployOptions`. */
function restApi(stack: Stack, deployOptions: apigateway.StageOptions, cloudWatchRole = false): apigateway.RestApi {
  const api = new apigateway.RestApi(stack, 'Api', { cloudWatchRole, deployOptions });
  api.root.addMethod('GET', new apigateway.MockIntegration());
  return api;
}

const accessLogs = (stack: Stack): apigateway.StageOptions => ({
  accessLogDestination: new apigateway.LogGroupLogDestination(new logs.LogGroup(stack, 'AccessLogs')),
  accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields(),
});

/** A stack that sets the account's CloudWatch role, as a platform stack would (or an Account without one). */
function accountStack(app: App, id: string, { withRole = true } = {}): Stack {
  const stack = new Stack(app, id);
  new apigateway.CfnAccount(stack, 'Account', { cloudWatchRoleArn: withRole ? 'arn:aws:iam::111122223333:role/apigw-logs' : undefined });
  return stack;
}

const stageOf = (api: apigateway.RestApi) => api.deploymentStage.node.defaultChild as apigateway.CfnStage;

describe('APIGAccessLoggedStageHasAccountRole (EnvelopeApi-APIG3)', () => {
  it('reports a stage with access logs, execution logs or data trace and no account role anywhere', () => {
    const access = testStack();
    restApi(access, accessLogs(access));
    expect(findingsOf(access, RULE)).toEqual([RULE]);
    const execution = testStack();
    restApi(execution, { loggingLevel: apigateway.MethodLoggingLevel.ERROR });
    expect(findingsOf(execution, RULE)).toEqual([RULE]);
    const dataTrace = testStack();
    restApi(dataTrace, { methodOptions: { '/*/GET': { dataTraceEnabled: true } } });
    expect(findingsOf(dataTrace, RULE)).toEqual([RULE]);
  });

  it('reports a logging level decided at deploy time, and a deployment whose StageDescription logs', () => {
    const deployTime = testStack();
    new apigateway.CfnStage(deployTime, 'Stage', {
      restApiId: 'api',
      methodSettings: [{ httpMethod: '*', resourcePath: '/*', loggingLevel: Fn.conditionIf('Verbose', 'INFO', 'OFF').toString() }],
    });
    expect(findingsOf(deployTime, RULE)).toEqual([RULE]);
    const deployment = testStack();
    new apigateway.CfnDeployment(deployment, 'Deployment', { restApiId: 'api', stageName: 'prod', stageDescription: { loggingLevel: 'INFO' } });
    expect(findingsOf(deployment, RULE)).toEqual([RULE]);
  });

  it('reports a role set in a stack the stage does not depend on, or an Account without a role', () => {
    const app = new App();
    accountStack(app, 'Platform');
    const api = new Stack(app, 'Api');
    restApi(api, accessLogs(api));
    expect(findingsOf(app, RULE)).toEqual([RULE]);

    const noRole = new App();
    const stack = new Stack(noRole, 'Api');
    stack.addStackDependency(accountStack(noRole, 'Platform', { withRole: false }));
    restApi(stack, accessLogs(stack));
    expect(findingsOf(noRole, RULE)).toEqual([RULE]);
  });

  it("accepts the role set in the stage's stack, or in a stack it depends on, directly or not", () => {
    const own = testStack();
    restApi(own, accessLogs(own), true);
    expect(findingsOf(own, RULE)).toEqual([]);

    const app = new App();
    const platform = accountStack(app, 'Platform');
    const shared = new Stack(app, 'Shared');
    shared.addStackDependency(platform);
    const api = new Stack(app, 'Api');
    api.addStackDependency(shared);
    restApi(api, accessLogs(api));
    expect(findingsOf(app, RULE)).toEqual([]);
  });

  it('takes the acknowledgement of an app whose platform team sets the role', () => {
    const stack = testStack();
    const api = restApi(stack, accessLogs(stack));
    Validations.of(api.deploymentStage).acknowledge({ id: RULE, reason: 'The platform team sets cloudWatchRoleArn in this account.' });
    expect(findingsOf(stack, RULE)).toEqual([]);
  });

  it('does not apply to a stage that does not log (logging level OFF, metrics only), nor to other resources', () => {
    const stack = testStack();
    const api = restApi(stack, { loggingLevel: apigateway.MethodLoggingLevel.OFF, metricsEnabled: true, tracingEnabled: true });
    expect(APIGAccessLoggedStageHasAccountRole(stageOf(api))).toBe(NagRuleCompliance.NOT_APPLICABLE);
    expect(APIGAccessLoggedStageHasAccountRole(api.node.defaultChild as apigateway.CfnRestApi)).toBe(NagRuleCompliance.NOT_APPLICABLE);
    const bare = new apigateway.CfnDeployment(stack, 'Bare', { restApiId: 'api' });
    expect(APIGAccessLoggedStageHasAccountRole(bare)).toBe(NagRuleCompliance.NOT_APPLICABLE);
    expect(findingsOf(stack, RULE)).toEqual([]);
  });
});

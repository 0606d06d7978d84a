import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { API_ROUTES, ERROR_STATUS, GATEWAY_ERRORS, type ApiFunctionName } from '../../../contract/index.js';
import { EnvelopeRestApi } from '../../../lib/constructs/envelope-rest-api.js';
import { emptyStack } from './stacks.js';

function restApi() {
  const stack = emptyStack();
  const handler = (name: string) =>
    new lambda.Function(stack, name, {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('export const handler = () => {};'),
    });
  const handlers: Record<ApiFunctionName, lambda.IFunction> = {
    keys: handler('keys'),
    crypto: handler('crypto'),
    masterKey: handler('masterKey'),
    health: handler('health'),
  };
  new EnvelopeRestApi(stack, 'Api', {
    restApiName: 'test',
    stageName: 'test',
    routes: API_ROUTES,
    handlers,
    throttlingRateLimit: 10,
    throttlingBurstLimit: 20,
    logRetentionInDays: 7,
    callers: new iam.AccountRootPrincipal(),
  });
  return Template.fromStack(stack);
}

describe('EnvelopeRestApi', () => {
  it('has one method per route, with IAM auth exactly where the contract asks for it', () => {
    const template = restApi();
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method')).map(
      (m) => m.Properties as { HttpMethod: string; AuthorizationType: string },
    );
    expect(methods.filter((m) => m.HttpMethod !== 'OPTIONS')).toHaveLength(API_ROUTES.length);
    expect(methods.filter((m) => m.AuthorizationType === 'NONE')).toHaveLength(API_ROUTES.filter((r) => !r.iamAuth).length);
  });

  it("answers its own errors in the contract's shape, with the contract's statuses", () => {
    const template = restApi();
    for (const [type, { code, message }] of Object.entries(GATEWAY_ERRORS)) {
      template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: type,
        StatusCode: String(ERROR_STATUS[code]),
        ResponseTemplates: { 'application/json': JSON.stringify({ error: { code, message } }) },
      });
    }
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'THROTTLED',
      ResponseParameters: { 'gatewayresponse.header.Retry-After': "'1'" },
    });
  });
});

import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { API_ROUTES, type ApiFunctionName, ERROR_STATUS, GATEWAY_ERRORS, renderGatewayResponseTemplate } from '../../../contract/index.js';
import { EnvelopeRestApi, type EnvelopeRestApiProps } from '../../../lib/constructs/envelope-rest-api.js';
import { resourcesOf, restApiPolicyStatements, spelledOut } from '../template-access.js';
import { emptyStack } from './stacks.js';

function restApi(props: Partial<EnvelopeRestApiProps> = {}) {
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
    ...props,
  });
  return Template.fromStack(stack);
}

/** Messages API Gateway may put in `$context.error.message`, with what breaks a template that quotes it itself. */
const HOSTILE_MESSAGES = [
  'Invalid request body: "alias" must be a string',
  'C:\\keys\\"quoted"\\',
  '"}},"injected":{"a":"',
  'line one\nline two\ttabbed',
  '',
];

describe('EnvelopeRestApi', () => {
  it('has one method per route, with IAM auth exactly where the contract asks for it', () => {
    const template = restApi();
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method')).map(
      (m) => m.Properties as { HttpMethod: string; AuthorizationType: string },
    );
    expect(methods.filter((m) => m.HttpMethod !== 'OPTIONS')).toHaveLength(API_ROUTES.length);
    expect(methods.filter((m) => m.AuthorizationType === 'NONE')).toHaveLength(API_ROUTES.filter((r) => !r.iamAuth).length);
  });

  it("answers each of its own errors with the contract's status, and a Retry-After when throttling", () => {
    const responses = Object.values(resourcesOf(restApi(), 'AWS::ApiGateway::GatewayResponse'));
    expect(responses.map((r) => r.ResponseType).sort()).toEqual(Object.keys(GATEWAY_ERRORS).sort());
    for (const response of responses) {
      const { code } = GATEWAY_ERRORS[response.ResponseType as keyof typeof GATEWAY_ERRORS];
      expect(response.StatusCode, response.ResponseType).toBe(String(ERROR_STATUS[code]));
    }
    expect(responses.find((r) => r.ResponseType === 'THROTTLED')!.ResponseParameters).toEqual({ 'gatewayresponse.header.Retry-After': "'1'" });
  });

  it.each(HOSTILE_MESSAGES)('renders every error body as JSON in the contract shape when API Gateway says %j', (message) => {
    const responses = Object.values(resourcesOf(restApi(), 'AWS::ApiGateway::GatewayResponse'));
    expect(responses).toHaveLength(Object.keys(GATEWAY_ERRORS).length);
    for (const response of responses) {
      const expected = GATEWAY_ERRORS[response.ResponseType as keyof typeof GATEWAY_ERRORS];
      const body = renderGatewayResponseTemplate(response.ResponseTemplates['application/json']!, {
        message,
        responseType: response.ResponseType,
        validationErrorString: message,
      });
      expect(() => JSON.parse(body), `${response.ResponseType}: ${body}`).not.toThrow();
      expect(JSON.parse(body), response.ResponseType).toEqual({
        error: { code: expected.code, message: expected.message === 'apiGatewayMessage' ? message : expected.message },
      });
    }
  });

  it("passes API Gateway's own message on where the contract asks for it, and a fixed one elsewhere", () => {
    const templates = Object.fromEntries(
      Object.values(resourcesOf(restApi(), 'AWS::ApiGateway::GatewayResponse')).map((r) => [
        r.ResponseType,
        r.ResponseTemplates['application/json']!,
      ]),
    );
    const render = (type: string) => JSON.parse(renderGatewayResponseTemplate(templates[type]!, { message: 'gateway says', responseType: type }));
    expect(render('BAD_REQUEST_BODY').error.message).toBe('gateway says');
    expect(render('ACCESS_DENIED').error.message).toBe('gateway says');
    expect(render('THROTTLED').error.message).toBe(GATEWAY_ERRORS.THROTTLED.message);
  });

  describe('resource policy', () => {
    const ROOT_OF_THIS_ACCOUNT = `arn:\${AWS::Partition}:iam::111122223333:root`;
    const publicMethods = API_ROUTES.filter((route) => !route.iamAuth).map((route) => `execute-api:/test/${route.method}${route.resource}`);

    it('admits the account and, on the public routes alone, anybody, with "Principal": "*" and not {"AWS": "*"}', () => {
      const [thisAccount, publicRoutes, ...others] = restApiPolicyStatements(restApi());
      expect(others).toEqual([]);
      expect(thisAccount).toMatchObject({ Sid: 'ThisAccount', Effect: 'Allow', Action: 'execute-api:Invoke', Resource: 'execute-api:/*' });
      expect(spelledOut((thisAccount!.Principal as { AWS: unknown }).AWS)).toBe(ROOT_OF_THIS_ACCOUNT);
      expect(thisAccount!.Condition).toBeUndefined();
      expect(publicRoutes).toEqual({ Sid: 'PublicRoutes', Effect: 'Allow', Action: 'execute-api:Invoke', Principal: '*', Resource: publicMethods });
    });

    it('has no statement for other accounts when none is listed', () => {
      for (const crossAccountCallers of [undefined, []]) {
        expect(restApiPolicyStatements(restApi({ crossAccountCallers })).map((s) => s.Sid)).toEqual(['ThisAccount', 'PublicRoutes']);
      }
    });

    it('admits the listed principals of other accounts, and not as principals of this one', () => {
      const callers = ['arn:aws:iam::444455556666:role/partner', 'arn:aws:iam::777788889999:root'];
      const statements = restApiPolicyStatements(restApi({ crossAccountCallers: callers }));
      expect(statements.map((s) => s.Sid)).toEqual(['ThisAccount', 'OtherAccountCallers', 'PublicRoutes']);
      expect(statements[1]).toEqual({
        Sid: 'OtherAccountCallers',
        Effect: 'Allow',
        Action: 'execute-api:Invoke',
        Principal: { AWS: callers },
        Resource: 'execute-api:/*',
        Condition: { StringNotEquals: { 'aws:PrincipalAccount': '111122223333' } },
      });
    });
  });
});

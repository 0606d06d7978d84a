import { Fn } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { NagRuleCompliance } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { errorBodyTemplate, renderGatewayResponseTemplate } from '../../contract/gateway-response-template.js';
import { HOSTILE_ERROR_TEXTS } from '../../lib/rules/APIGGatewayResponseRendersJson.js';
import { APIGGatewayResponseRendersJson } from '../../lib/rules/index.js';
import { findingsOf, testStack } from './findings.js';

const RULE = 'EnvelopeApi-APIG4';

function gatewayResponse(responseTemplates: Record<string, string> | undefined, responseType = 'BAD_REQUEST_BODY') {
  const stack = testStack();
  const response = new apigateway.CfnGatewayResponse(stack, 'Response', { restApiId: 'api', responseType, responseTemplates });
  return { stack, response };
}

const reports = (template: string, responseType?: string) =>
  findingsOf(gatewayResponse({ 'application/json': template }, responseType).stack, RULE).includes(RULE);

describe('APIGGatewayResponseRendersJson (EnvelopeApi-APIG4)', () => {
  it('reports templates that quote a variable API Gateway inserts as it is, or insert it bare', () => {
    expect(reports('{"message":"$context.error.message"}')).toBe(true);
    expect(reports('{"message":$context.error.message}')).toBe(true);
    expect(reports('{"detail":"$context.error.validationErrorString"}')).toBe(true);
    expect(reports('{"message":"$context.error.messageString"}')).toBe(true);
    // The example of "x-amazon-apigateway-gateway-responses.responseTemplates object", which is not JSON.
    expect(reports('{ "message": $context.error.messageString, "type":$context.error.responseType, "statusCode": \'488\' }')).toBe(true);
  });

  it('renders with hostile values, not only with the plain messages a template survives', () => {
    const quotedMessage = '{"message":"$context.error.message"}';
    expect(JSON.parse(renderGatewayResponseTemplate(quotedMessage, { message: 'Forbidden', responseType: 'ACCESS_DENIED' }))).toEqual({
      message: 'Forbidden',
    });
    expect(reports(quotedMessage, 'ACCESS_DENIED')).toBe(true);
    expect(HOSTILE_ERROR_TEXTS).toEqual(
      expect.arrayContaining(['', '"}', expect.stringContaining('\\'), expect.stringContaining('\n'), expect.stringContaining('</script>')]),
    );
    expect(HOSTILE_ERROR_TEXTS.some((text) => text.includes('allowed: ["object"]'))).toBe(true);
  });

  it('reports a template decided at deploy time, which it cannot render', () => {
    expect(reports(Fn.conditionIf('Verbose', '{"m":$context.error.messageString}', '{}').toString())).toBe(true);
  });

  it("accepts the API's error bodies, fixed messages, the quoted message and the response type", () => {
    expect(reports(errorBodyTemplate('AccessDenied', 'apiGatewayMessage'), 'ACCESS_DENIED')).toBe(false);
    expect(reports(errorBodyTemplate('ValidationError', 'apiGatewayMessage'))).toBe(false);
    expect(reports(errorBodyTemplate('Throttled', 'Too many "requests"; retry after a short wait.'), 'THROTTLED')).toBe(false);
    expect(reports('{"error":{"type":"$context.error.responseType","message":$context.error.messageString,"requestId":"$context.requestId"}}')).toBe(
      false,
    );
    const { stack, response } = gatewayResponse({
      'Application/JSON': '{"message":$context.error.messageString}',
      'text/plain': '$context.error.message',
    });
    expect(findingsOf(stack, RULE)).toEqual([]);
    expect(APIGGatewayResponseRendersJson(response)).toBe(NagRuleCompliance.COMPLIANT);
  });

  it('does not apply to a response without an application/json template, nor to other resources', () => {
    for (const templates of [undefined, {}, { 'text/plain': '"$context.error.message"' }] as (Record<string, string> | undefined)[]) {
      const { stack, response } = gatewayResponse(templates);
      expect(APIGGatewayResponseRendersJson(response)).toBe(NagRuleCompliance.NOT_APPLICABLE);
      expect(findingsOf(stack, RULE)).toEqual([]);
    }
    const stack = testStack();
    const api = new apigateway.RestApi(stack, 'Api', { cloudWatchRole: false });
    api.root.addMethod('GET', new apigateway.MockIntegration());
    expect(APIGGatewayResponseRendersJson(api.node.defaultChild as apigateway.CfnRestApi)).toBe(NagRuleCompliance.NOT_APPLICABLE);
  });

  it('checks the responses the L2 RestApi adds', () => {
    const stack = testStack();
    const api = new apigateway.RestApi(stack, 'Api', { cloudWatchRole: false });
    api.root.addMethod('GET', new apigateway.MockIntegration());
    api.addGatewayResponse('Denied', {
      type: apigateway.ResponseType.ACCESS_DENIED,
      templates: { 'application/json': '{"m":"$context.error.message"}' },
    });
    api.addGatewayResponse('Invalid', {
      type: apigateway.ResponseType.BAD_REQUEST_BODY,
      templates: { 'application/json': errorBodyTemplate('ValidationError', 'apiGatewayMessage') },
    });
    expect(findingsOf(stack, RULE)).toEqual([RULE]);
  });
});

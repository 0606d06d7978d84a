import { describe, expect, it } from 'vitest';
import { API_ROUTES, type ApiRoute } from '../../contract/index.js';
import { deployedApiOf } from '../../local/gateway/deployed-api.js';
import type { SynthesizedTemplates } from '../../local/iam/synthesized-templates.js';
import { localDeployment } from '../support/deployed-api.js';

/** The local gateway's API is read from the synthesized API stack, not from the route table. */
type Resource = { Type: string; Properties: Record<string, unknown> };

function methodsOf(templates: SynthesizedTemplates): [string, Resource][] {
  return Object.entries(templates.api.Resources as Record<string, Resource>).filter(([, r]) => r.Type === 'AWS::ApiGateway::Method');
}

describe('the deployed API, from the synthesized template', () => {
  it('has every route of the contract, with the authorization and function the contract gives it', async () => {
    const { api } = await localDeployment();
    expect(api.methods.map((m) => `${m.httpMethod} ${m.resourcePath}`).sort()).toEqual(API_ROUTES.map((r) => `${r.method} ${r.resource}`).sort());
    for (const method of api.methods) {
      expect(method.authorizationType, method.resourcePath).toBe(method.route.iamAuth ? 'AWS_IAM' : 'NONE');
      expect(method.function, method.resourcePath).toBe(method.route.function);
      expect(Object.keys(method.validation.bodyModels), method.resourcePath).toEqual(method.route.jsonBody ? ['application/json'] : []);
    }
  });

  it('takes the authorization type and the integrated function from the template, not from the contract', async () => {
    const { api } = await localDeployment((templates) => {
      const [, health] = methodsOf(templates).find(([, r]) => r.Properties.AuthorizationType === 'NONE')!;
      const [, keys] = methodsOf(templates).find(([, r]) => r.Properties.HttpMethod === 'POST' && r.Properties.AuthorizationType === 'AWS_IAM')!;
      health.Properties.AuthorizationType = 'AWS_IAM';
      health.Properties.Integration = keys.Properties.Integration;
      return templates;
    });
    expect(api.methods.find((m) => m.resourcePath === '/v1/health')).toMatchObject({ authorizationType: 'AWS_IAM', function: 'keys' });
  });

  it('fails, naming each, when the deployed API has a method the contract lacks or the contract one the API lacks', async () => {
    const { policies } = await localDeployment();
    const extra: ApiRoute = { method: 'GET', resource: '/v1/extra', operationId: 'extra', function: 'health', iamAuth: false, audience: 'public' };
    expect(() => deployedApiOf(policies, API_ROUTES.slice(1))).toThrow(
      /the deployed API has GET \/v1\/health, which the contract \(contract\/routes\.ts\) lacks/,
    );
    expect(() => deployedApiOf(policies, [...API_ROUTES, extra])).toThrow(/the contract has GET \/v1\/extra, which the deployed API lacks/);
  });

  it('refuses what it cannot serve as deployed, rather than serve something else', async () => {
    const withAuthorizer = localDeployment((templates) => {
      methodsOf(templates)[0]![1].Properties.AuthorizationType = 'CUSTOM';
      return templates;
    });
    await expect(withAuthorizer).rejects.toThrow(/does not support CUSTOM authorization/);
    const withSchema = localDeployment((templates) => {
      const model = Object.values(templates.api.Resources as Record<string, Resource>).find((r) => r.Type === 'AWS::ApiGateway::Model')!;
      (model.Properties.Schema as Record<string, unknown>).required = ['keyId'];
      return templates;
    });
    await expect(withSchema).rejects.toThrow(/does not validate required/);
  });
});

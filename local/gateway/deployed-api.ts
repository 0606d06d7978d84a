import { API_ROUTES, type ApiFunctionName, type ApiRoute } from '../../contract/index.js';
import type { DeployedPolicies } from '../iam/deployed-policies.js';
import type { PolicyDocument } from '../iam/policy-evaluator.js';
import type { TemplateResolver } from '../iam/template-values.js';
import {
  GATEWAY_RESPONSE_STATUS,
  headerSourceOf,
  type ApiGatewayResponseType,
  type DefaultResponseType,
  type GatewayResponseDefinition,
  type GatewayResponses,
  type HeaderSource,
} from './gateway-responses.js';
import { modelTypes, type JsonType, type RequestValidation } from './request-validation.js';

/**
 * The REST API as its synthesized template deploys it: its methods (resource path, authorization
 * type, the function behind each), request validation and gateway responses. The local gateway is
 * built from this, as the local IAM is built from the synthesized policies, so that it serves what
 * the deployed API serves and refuses what it refuses.
 */
export type AuthorizationType = 'NONE' | 'AWS_IAM';

export interface DeployedMethod {
  readonly httpMethod: ApiRoute['method'];
  /** The resource path, with `{param}` placeholders: the event's `resource`. */
  readonly resourcePath: string;
  /** The AWS::ApiGateway::Resource's id (its logical id locally): the event's `requestContext.resourceId`. */
  readonly resourceId: string;
  readonly authorizationType: AuthorizationType;
  /** The function the method's Lambda proxy integration invokes. */
  readonly function: ApiFunctionName;
  /** The contract's route for this method: what the handlers know it by. */
  readonly route: ApiRoute;
  readonly validation: RequestValidation;
}

export interface DeployedApi {
  /** `arn:aws:execute-api:<region>:<account>:<api id>`. */
  readonly apiArn: string;
  readonly stageName: string;
  /** The resource policy, the `execute-api:/…` shorthand expanded. */
  readonly resourcePolicy: PolicyDocument;
  readonly methods: readonly DeployedMethod[];
  readonly gatewayResponses: GatewayResponses;
}

type Properties = Record<string, unknown>;

/**
 * Reads the API stack's REST API from its resolved template, and pairs each method with its route
 * in the contract. The deployed API and the contract must have exactly the same methods: either
 * having one the other lacks fails here, when the runtime starts, not on the first request.
 */
export function deployedApiOf(policies: DeployedPolicies, routes: readonly ApiRoute[] = API_ROUTES): DeployedApi {
  const template = policies.apiTemplate;
  const restApis = template.resources('AWS::ApiGateway::RestApi');
  if (restApis.length !== 1) throw new Error(`The API stack must have exactly one REST API, not ${restApis.length}.`);
  const [restApiId] = restApis[0]!;
  const restApiRef = template.resolve({ Ref: restApiId });
  const ofThisApi = (type: string) => template.resources(type).filter(([, properties]) => properties.RestApiId === restApiRef);

  const paths = resourcePaths(template, restApiId, ofThisApi('AWS::ApiGateway::Resource'));
  const functions = functionsByArn(template, policies);
  const validators = new Map(
    ofThisApi('AWS::ApiGateway::RequestValidator').map(([id, properties]) => [template.resolve({ Ref: id }), properties] as const),
  );
  const models = new Map(ofThisApi('AWS::ApiGateway::Model').map(([id, properties]) => [template.resolve({ Ref: id }), { id, properties }] as const));
  const byRoute = new Map(routes.map((route) => [`${route.method} ${route.resource}`, route]));

  const methods: DeployedMethod[] = [];
  const problems: string[] = [];
  for (const [id, properties] of ofThisApi('AWS::ApiGateway::Method')) {
    const httpMethod = String(properties.HttpMethod);
    const resourcePath = paths.get(properties.ResourceId);
    if (resourcePath === undefined) throw new Error(`Method ${id}: its resource ${String(properties.ResourceId)} is not in the API.`);
    const route = byRoute.get(`${httpMethod} ${resourcePath}`);
    if (!route) {
      problems.push(`the deployed API has ${httpMethod} ${resourcePath}, which the contract (contract/routes.ts) lacks`);
      continue;
    }
    byRoute.delete(`${route.method} ${route.resource}`);
    methods.push({
      httpMethod: route.method,
      resourcePath,
      resourceId: String(properties.ResourceId),
      authorizationType: authorizationTypeOf(id, properties),
      function: integratedFunction(id, properties, functions),
      route,
      validation: validationOf(id, properties, validators, models),
    });
  }
  for (const route of byRoute.values()) problems.push(`the contract has ${route.method} ${route.resource}, which the deployed API lacks`);
  if (problems.length > 0) throw new Error(`The API stack's methods do not match the contract: ${problems.join('; ')}.`);

  return {
    apiArn: policies.apiArn,
    stageName: policies.stageName,
    resourcePolicy: policies.apiResourcePolicy,
    methods,
    gatewayResponses: gatewayResponsesOf(ofThisApi('AWS::ApiGateway::GatewayResponse')),
  };
}

/** Each resource's full path, by its id: the path parts from the root (the REST API's RootResourceId) down. */
function resourcePaths(template: TemplateResolver, restApiId: string, resources: [string, Properties][]): Map<unknown, string> {
  const rootId = template.resolve({ 'Fn::GetAtt': [restApiId, 'RootResourceId'] });
  const byId = new Map(resources.map(([id, properties]) => [template.resolve({ Ref: id }), properties]));
  const paths = new Map<unknown, string>([[rootId, '/']]);
  const pathOf = (id: unknown, seen: unknown[] = []): string => {
    const known = paths.get(id);
    if (known !== undefined) return known;
    const resource = byId.get(id);
    if (!resource) throw new Error(`API resource ${String(id)} is not in the API.`);
    if (seen.includes(id)) throw new Error(`API resource ${String(id)} is its own ancestor.`);
    // A greedy `{proxy+}` part matches several segments, which the local matching does not do.
    if (/^\{.+\+\}$/.test(String(resource.PathPart)))
      throw new Error(`API resource ${String(id)}: the local gateway does not support ${String(resource.PathPart)}.`);
    const parent = pathOf(resource.ParentId, [...seen, id]);
    const path = `${parent === '/' ? '' : parent}/${String(resource.PathPart)}`;
    paths.set(id, path);
    return path;
  };
  for (const id of byId.keys()) pathOf(id);
  return paths;
}

/** Each Lambda function's ARN, with the API function its execution role says it is. */
function functionsByArn(template: TemplateResolver, policies: DeployedPolicies): Map<string, ApiFunctionName> {
  const byRole = new Map(Object.entries(policies.functionRoles).map(([fn, role]) => [role.roleArn, fn as ApiFunctionName]));
  const functions = new Map<string, ApiFunctionName>();
  for (const [id, properties] of template.resources('AWS::Lambda::Function')) {
    const fn = byRole.get(String(properties.Role));
    if (fn) functions.set(String(template.resolve({ 'Fn::GetAtt': [id, 'Arn'] })), fn);
  }
  return functions;
}

function authorizationTypeOf(id: string, properties: Properties): AuthorizationType {
  // CloudFormation's default for a method without one.
  const type = properties.AuthorizationType ?? 'NONE';
  if (type !== 'NONE' && type !== 'AWS_IAM') throw new Error(`Method ${id}: the local gateway does not support ${String(type)} authorization.`);
  return type;
}

/** The function a Lambda proxy integration invokes: its URI is `arn:…:apigateway:<region>:lambda:path/2015-03-31/functions/<function ARN>/invocations`. */
function integratedFunction(id: string, properties: Properties, functions: Map<string, ApiFunctionName>): ApiFunctionName {
  const integration = (properties.Integration ?? {}) as Properties;
  if (integration.Type !== 'AWS_PROXY')
    throw new Error(`Method ${id}: the local gateway supports Lambda proxy integrations only, not ${String(integration.Type)}.`);
  const uri = String(integration.Uri);
  const matches = [...functions].filter(([arn]) => uri.includes(`/functions/${arn}/invocations`));
  if (matches.length !== 1) throw new Error(`Method ${id}: its integration ${uri} invokes no function with an API function role.`);
  return matches[0]![1];
}

function validationOf(
  id: string,
  properties: Properties,
  validators: Map<unknown, Properties>,
  models: Map<unknown, { id: string; properties: Properties }>,
): RequestValidation {
  if (properties.RequestValidatorId === undefined) return { bodyModels: {}, requiredParameters: [] };
  const validator = validators.get(properties.RequestValidatorId);
  if (!validator) throw new Error(`Method ${id}: its request validator ${String(properties.RequestValidatorId)} is not in the API.`);
  const bodyModels: Record<string, readonly JsonType[]> = {};
  if (validator.ValidateRequestBody === true) {
    for (const [mediaType, modelRef] of Object.entries((properties.RequestModels ?? {}) as Record<string, unknown>)) {
      const model = models.get(modelRef);
      if (!model) throw new Error(`Method ${id}: its model ${String(modelRef)} is not in the API.`);
      bodyModels[mediaType.toLowerCase()] = modelTypes(model.id, model.properties.Schema);
    }
  }
  const requiredParameters: RequestValidation['requiredParameters'][number][] = [];
  if (validator.ValidateRequestParameters === true) {
    for (const [parameter, required] of Object.entries((properties.RequestParameters ?? {}) as Record<string, unknown>)) {
      const match = /^method\.request\.(header|querystring|path)\.(.+)$/.exec(parameter);
      if (!match) throw new Error(`Method ${id}: unknown request parameter ${parameter}.`);
      if (required === true) requiredParameters.push({ location: match[1] as 'header' | 'querystring' | 'path', name: match[2]! });
    }
  }
  return { bodyModels, requiredParameters };
}

function gatewayResponsesOf(resources: [string, Properties][]): GatewayResponses {
  const known = new Set<string>([...Object.keys(GATEWAY_RESPONSE_STATUS), 'DEFAULT_4XX', 'DEFAULT_5XX']);
  const responses: Partial<Record<ApiGatewayResponseType | DefaultResponseType, GatewayResponseDefinition>> = {};
  for (const [id, properties] of resources) {
    const type = String(properties.ResponseType);
    if (!known.has(type)) throw new Error(`Gateway response ${id}: unknown response type ${type}.`);
    const headers: Record<string, HeaderSource> = {};
    for (const [parameter, expression] of Object.entries((properties.ResponseParameters ?? {}) as Record<string, unknown>)) {
      const header = /^gatewayresponse\.header\.(.+)$/.exec(parameter);
      if (!header) throw new Error(`Gateway response ${id}: the local gateway cannot map ${parameter}.`);
      headers[header[1]!] = headerSourceOf(String(expression));
    }
    responses[type as ApiGatewayResponseType | DefaultResponseType] = {
      ...(properties.StatusCode !== undefined && { statusCode: Number(properties.StatusCode) }),
      headers,
      templates: (properties.ResponseTemplates ?? {}) as Record<string, string>,
    };
  }
  return responses;
}

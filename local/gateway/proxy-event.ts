import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import type { DeployedMethod } from './deployed-api.js';

export interface MatchedRoute {
  readonly method: DeployedMethod;
  readonly pathParameters: Record<string, string> | null;
}

/** Matches a raw request path against the API's resource templates, as API Gateway does. */
export function matchRoute(methods: readonly DeployedMethod[], httpMethod: string, path: string): MatchedRoute | 'MethodNotAllowed' | undefined {
  const segments = path.split('/');
  let pathMatched = false;
  for (const method of methods) {
    const params = matchTemplate(method.resourcePath.split('/'), segments);
    if (!params) continue;
    pathMatched = true;
    if (method.httpMethod === httpMethod) return { method, pathParameters: Object.keys(params).length > 0 ? params : null };
  }
  return pathMatched ? 'MethodNotAllowed' : undefined;
}

function matchTemplate(template: string[], segments: string[]): Record<string, string> | undefined {
  if (template.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of template.entries()) {
    const segment = segments[i]!;
    if (part.startsWith('{') && part.endsWith('}')) {
      if (segment === '') return undefined;
      // As API Gateway REST does: the parameter as it arrived, still percent-encoded.
      params[part.slice(1, -1)] = segment;
    } else if (part !== segment) {
      return undefined;
    }
  }
  return params;
}

/** A verified caller, as the event reports it. */
export interface Caller {
  readonly arn: string;
  readonly accessKeyId: string;
}

export interface ProxyEventInput {
  readonly matched: MatchedRoute;
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Record<string, string>;
  /** The body as received, or already decoded as UTF-8. */
  readonly body: Buffer | string;
  readonly principal?: Caller;
  readonly sourceIp: string;
  readonly stage: string;
  /** The id the gateway answers with in `x-amzn-RequestId`; a new one when not given. */
  readonly requestId?: string;
}

/** Builds the REST API (v1) Lambda proxy event that API Gateway would send for this request. */
export function toProxyEvent(input: ProxyEventInput): APIGatewayProxyEvent {
  const { matched, principal } = input;
  const accountId = principal ? principal.arn.split(':')[4]! : null;
  const queryEntries = [...input.query.keys()];
  // Plain objects with every name the caller sent as an own property, as the event Lambda parses
  // from JSON has them: `Object.fromEntries` and spreading define properties, never set them, so
  // `__proto__` is a name like any other and no name changes an object's prototype.
  return {
    resource: matched.method.resourcePath,
    path: input.path,
    httpMethod: input.method,
    headers: { ...input.headers },
    multiValueHeaders: Object.fromEntries(Object.entries(input.headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: queryEntries.length > 0 ? Object.fromEntries(input.query) : null,
    multiValueQueryStringParameters: queryEntries.length > 0 ? Object.fromEntries(queryEntries.map((k) => [k, input.query.getAll(k)])) : null,
    pathParameters: matched.pathParameters,
    stageVariables: null,
    body: input.body.length > 0 ? input.body.toString() : null,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: input.method,
      path: `/${input.stage}${input.path}`,
      stage: input.stage,
      requestId: input.requestId ?? randomUUID(),
      requestTimeEpoch: Date.now(),
      resourceId: matched.method.resourceId,
      resourcePath: matched.method.resourcePath,
      identity: {
        accessKey: principal?.accessKeyId ?? null,
        accountId,
        caller: principal ? principal.accessKeyId : null,
        user: principal ? principal.accessKeyId : null,
        userArn: principal?.arn ?? null,
        sourceIp: input.sourceIp,
        userAgent: input.headers['user-agent'] ?? null,
        apiKey: null,
        apiKeyId: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
      },
    },
  };
}

/** A Lambda context good enough for the handlers and Powertools. */
export function lambdaContext(functionName: string, requestId: string, timeoutMs = 30_000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

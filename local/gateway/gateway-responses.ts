import { renderGatewayResponseTemplate } from '../../contract/index.js';

/**
 * The responses API Gateway answers itself, rendered as the deployed API's gateway responses
 * (AWS::ApiGateway::GatewayResponse) shape them.
 *
 * The types and their default status codes are those of "Gateway response types" (API Gateway
 * developer guide). A type the API does not customize falls back to DEFAULT_4XX or DEFAULT_5XX by
 * its status class, and without those to API Gateway's own body, `{"message":$context.error.messageString}`
 * ("Gateway responses in API Gateway": "By default, the error response contains a short descriptive
 * error message", such as `{ "message": "Missing Authentication Token" }`). A DEFAULT_4XX/5XX status
 * code changes the status of every response of its class that sets none of its own.
 */
export const GATEWAY_RESPONSE_STATUS = {
  ACCESS_DENIED: 403,
  API_CONFIGURATION_ERROR: 500,
  AUTHORIZER_CONFIGURATION_ERROR: 500,
  AUTHORIZER_FAILURE: 500,
  BAD_REQUEST_PARAMETERS: 400,
  BAD_REQUEST_BODY: 400,
  EXPIRED_TOKEN: 403,
  INTEGRATION_FAILURE: 504,
  INTEGRATION_TIMEOUT: 504,
  INVALID_API_KEY: 403,
  INVALID_SIGNATURE: 403,
  MISSING_AUTHENTICATION_TOKEN: 403,
  QUOTA_EXCEEDED: 429,
  REQUEST_TOO_LARGE: 413,
  RESOURCE_NOT_FOUND: 404,
  THROTTLED: 429,
  UNAUTHORIZED: 401,
  UNSUPPORTED_MEDIA_TYPE: 415,
  WAF_FILTERED: 403,
} as const;

export type ApiGatewayResponseType = keyof typeof GATEWAY_RESPONSE_STATUS;
/** The fallbacks: they have no status of their own. */
export type DefaultResponseType = 'DEFAULT_4XX' | 'DEFAULT_5XX';

/**
 * API Gateway's own wording (`$context.error.message`) for the errors whose message does not depend
 * on the request. "Missing Authentication Token": "Gateway responses in API Gateway"; "Invalid
 * request body": "Test basic request validation in API Gateway". The 413 wording is API Gateway's
 * observed one, not a documented string.
 */
export const API_GATEWAY_MESSAGES = {
  MISSING_AUTHENTICATION_TOKEN: 'Missing Authentication Token',
  BAD_REQUEST_BODY: 'Invalid request body',
  REQUEST_TOO_LARGE: 'Request Too Long',
} as const;

/** A response header's value: a quoted literal, or a request parameter. */
export type HeaderSource =
  | { readonly literal: string }
  | { readonly requestParameter: { readonly location: 'header' | 'querystring' | 'path'; readonly name: string } };

/** One AWS::ApiGateway::GatewayResponse, as deployed. */
export interface GatewayResponseDefinition {
  readonly statusCode?: number;
  readonly headers: Readonly<Record<string, HeaderSource>>;
  /** Body mapping templates by media type. */
  readonly templates: Readonly<Record<string, string>>;
}

export type GatewayResponses = Readonly<Partial<Record<ApiGatewayResponseType | DefaultResponseType, GatewayResponseDefinition>>>;

/** An error the gateway answers itself, with the `$context.error.*` values it renders with. */
export interface GatewayFailure {
  readonly type: ApiGatewayResponseType;
  /** `$context.error.message`: API Gateway's wording of what went wrong. */
  readonly message: string;
  readonly validationErrorString?: string;
}

/** What the failing request carried, for header mappings from `method.request.*`. */
export interface FailedRequest {
  readonly headers: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly pathParameters?: Readonly<Record<string, string>> | null;
}

export interface RenderedResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

const DEFAULT_TEMPLATE = '{"message":$context.error.messageString}';
const JSON_MEDIA_TYPE = 'application/json';

/** The response API Gateway sends for a failure, given the API's gateway responses. */
export function renderGatewayResponse(responses: GatewayResponses, failure: GatewayFailure, request: FailedRequest): RenderedResponse {
  const ownStatus = GATEWAY_RESPONSE_STATUS[failure.type];
  const own = responses[failure.type];
  const fallback = responses[ownStatus >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX'];
  const definition = own ?? fallback;
  const status = own?.statusCode ?? fallback?.statusCode ?? ownStatus;
  const [mediaType, template] = templateOf(definition);
  const headers: Record<string, string> = { 'content-type': mediaType };
  for (const [name, source] of Object.entries(definition?.headers ?? {})) {
    const value = headerValue(source, request);
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  const body = renderGatewayResponseTemplate(template, {
    message: failure.message,
    responseType: failure.type,
    validationErrorString: failure.validationErrorString,
  });
  return { status, headers, body };
}

/** The JSON template when there is one, else the first; API Gateway's own when there is none. */
function templateOf(definition: GatewayResponseDefinition | undefined): [string, string] {
  const templates = Object.entries(definition?.templates ?? {});
  const chosen = templates.find(([mediaType]) => mediaType.toLowerCase() === JSON_MEDIA_TYPE) ?? templates[0];
  return chosen ?? [JSON_MEDIA_TYPE, DEFAULT_TEMPLATE];
}

function headerValue(source: HeaderSource, request: FailedRequest): string | undefined {
  if ('literal' in source) return source.literal;
  const { location, name } = source.requestParameter;
  if (location === 'header') return request.headers[name.toLowerCase()];
  if (location === 'querystring') return request.query.get(name) ?? undefined;
  return request.pathParameters?.[name];
}

/**
 * A `gatewayresponse.header.*` mapping's value as API Gateway reads it: a literal in single quotes,
 * or `method.request.{header|querystring|path}.<name>` ("x-amazon-apigateway-gateway-responses.
 * responseParameters object"). Anything else is refused when the gateway starts, not ignored.
 */
export function headerSourceOf(expression: string): HeaderSource {
  const literal = /^'(.*)'$/s.exec(expression);
  if (literal) return { literal: literal[1]! };
  const parameter = /^method\.request\.(header|querystring|path)\.(.+)$/.exec(expression);
  if (parameter) return { requestParameter: { location: parameter[1] as 'header' | 'querystring' | 'path', name: parameter[2]! } };
  throw new Error(`The local gateway cannot map a gateway response header from ${expression}.`);
}

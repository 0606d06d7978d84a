import { ERROR_STATUS, GATEWAY_ERRORS, type ApiRoute, type ErrorCode, type GatewayResponseType } from '../../../contract/index.js';
import { ERROR_BODIES, schemaOf, type JsonSchema } from './components.js';

/** API Gateway REST answers a request for a resource or method it does not have with this response, before any route. */
export const UNKNOWN_ROUTE_RESPONSE: GatewayResponseType = 'MISSING_AUTHENTICATION_TOKEN';

/**
 * What answers a request that no route takes, said once: the OpenAPI document's description and
 * the errors reference page (docs/reference/errors.md, which the README links) both show this text.
 */
export const UNROUTED_REQUEST_RULE = `An unsigned request to a route that needs a signature, and a request for a resource or method the API does not have, never reach a function: API Gateway answers them ${ERROR_STATUS[GATEWAY_ERRORS[UNKNOWN_ROUTE_RESPONSE].code]} \`${GATEWAY_ERRORS[UNKNOWN_ROUTE_RESPONSE].code}\` (its \`${UNKNOWN_ROUTE_RESPONSE}\` response), never 401, 404 or 405.`;

/** Which routes each of API Gateway's own error responses can answer. */
export const GATEWAY_ERROR_ROUTES: Readonly<Record<GatewayResponseType, (route: ApiRoute) => boolean>> = {
  BAD_REQUEST_BODY: (route) => route.jsonBody === true,
  // The routes declare no required parameters, so the request validator never refuses any.
  BAD_REQUEST_PARAMETERS: () => false,
  // The resource policy is evaluated on every route, public ones too.
  ACCESS_DENIED: () => true,
  INVALID_SIGNATURE: (route) => route.iamAuth,
  MISSING_AUTHENTICATION_TOKEN: (route) => route.iamAuth,
  EXPIRED_TOKEN: (route) => route.iamAuth,
  REQUEST_TOO_LARGE: () => true,
  THROTTLED: () => true,
};

/** Codes whose answers may carry `Retry-After`. */
const RETRY_AFTER_CODES: readonly ErrorCode[] = ['Conflict', 'Throttled', 'DependencyUnavailable'];

const gatewayErrors = (route: ApiRoute): ErrorCode[] =>
  (Object.keys(GATEWAY_ERRORS) as GatewayResponseType[]).filter((type) => GATEWAY_ERROR_ROUTES[type](route)).map((type) => GATEWAY_ERRORS[type].code);

/** Error codes by status, each status and code once, in the order of `ERROR_STATUS`. */
function byStatus(codes: readonly ErrorCode[]): Map<number, [ErrorCode, ...ErrorCode[]]> {
  const grouped = new Map<number, [ErrorCode, ...ErrorCode[]]>();
  for (const code of Object.keys(ERROR_STATUS) as ErrorCode[]) {
    if (!codes.includes(code)) continue;
    const status = ERROR_STATUS[code];
    const group = grouped.get(status);
    if (group) group.push(code);
    else grouped.set(status, [code]);
  }
  return new Map([...grouped].sort(([a], [b]) => a - b));
}

const RETRY_AFTER_HEADER = { 'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer', minimum: 0 } } };

function errorResponse(codes: [ErrorCode, ...ErrorCode[]]): JsonSchema {
  const [only, ...others] = codes.map((code) => schemaOf(ERROR_BODIES.get(code)!, 'output'));
  return {
    description: codes.join(', '),
    ...(codes.some((code) => RETRY_AFTER_CODES.includes(code)) && { headers: RETRY_AFTER_HEADER }),
    content: { 'application/json': { schema: others.length === 0 ? only : { oneOf: [only, ...others] } } },
  };
}

/** A report answered with a failure status, in place of an error body or beside it. */
export interface ReportResponse {
  readonly status: number;
  readonly description: string;
  readonly schema: JsonSchema;
}

/**
 * A route's error responses, by status: the gateway's own and the function's, each with its codes,
 * and the route's report under its status, when it has one.
 */
export function errorResponses(route: ApiRoute, functionErrors: readonly ErrorCode[], report?: ReportResponse): Record<string, JsonSchema> {
  const grouped = byStatus([...gatewayErrors(route), ...functionErrors]);
  const responses = Object.fromEntries([...grouped].map(([status, codes]) => [String(status), errorResponse(codes)]));
  return report ? { ...responses, [String(report.status)]: withReport(report, responses[String(report.status)]) } : responses;
}

/** The report, or either the report or one of the errors the status already answers. */
function withReport({ description, schema }: ReportResponse, errors: JsonSchema | undefined): JsonSchema {
  if (!errors) return { description, content: { 'application/json': { schema } } };
  const errorSchema = (errors.content as { 'application/json': { schema: JsonSchema } })['application/json'].schema;
  const alternatives = (errorSchema.oneOf as JsonSchema[] | undefined) ?? [errorSchema];
  return {
    ...errors,
    description: `${description}; or ${errors.description}`,
    content: { 'application/json': { schema: { oneOf: [schema, ...alternatives] } } },
  };
}

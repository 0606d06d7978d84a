import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { RouteName } from '../contract/index.js';
import openApiDocument from '../docs/openapi.json' with { type: 'json' };
import { jsonResponse } from './http/responses.js';

/** The public routes: a liveness probe that touches no dependency and reveals nothing, and the API's OpenAPI document. */
const BODIES: Readonly<Record<RouteName<'health'>, unknown>> = {
  'GET /v1/health': { status: 'ok' },
  'GET /v1/openapi.json': openApiDocument,
};

export const handler = async ({ httpMethod, resource }: Pick<APIGatewayProxyEvent, 'httpMethod' | 'resource'>) => {
  const body = BODIES[`${httpMethod} ${resource}` as RouteName<'health'>];
  return body === undefined
    ? jsonResponse(404, { error: { code: 'NotFound', message: `No route for ${httpMethod} ${resource}.` } })
    : jsonResponse(200, body);
};

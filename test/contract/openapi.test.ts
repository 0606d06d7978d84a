import { readFileSync } from 'node:fs';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { API_ROUTES, ERROR_STATUS, GATEWAY_ERRORS, type ErrorCode } from '../../contract/index.js';
import { handler as publicHandler } from '../../lambdas/health.js';
import { OPENAPI_FILE, openApiDocument, renderOpenApiDocument } from '../../lambdas/http/openapi/document.js';
import { UNROUTED_REQUEST_RULE } from '../../lambdas/http/openapi/error-responses.js';

interface Response {
  readonly content: { 'application/json': { schema: { $ref?: string; oneOf?: { $ref: string }[] } } };
}

const committed = readFileSync(new URL(`../../${OPENAPI_FILE}`, import.meta.url), 'utf8');
const document = openApiDocument();
const operationOf = (route: (typeof API_ROUTES)[number]) =>
  (document.paths[route.resource]?.[route.method.toLowerCase()] ?? {}) as {
    security: Record<string, string[]>[];
    parameters?: { name: string; in: string }[];
    responses: Record<string, Response>;
  };
const routes = API_ROUTES.map((route) => ({ name: `${route.method} ${route.resource}`, route, operation: operationOf(route) }));

type ErrorSchema = { properties: { error?: { properties: { code: { enum: ErrorCode[] } } } } };

/** The codes an error response names, from its `<Code>Error` schemas (a report answered with the same status names none). */
function codesOf(response: Response): ErrorCode[] {
  const { schema } = response.content['application/json'];
  const refs = schema.oneOf?.map(({ $ref }) => $ref) ?? [schema.$ref!];
  const schemas = document.components.schemas as Record<string, ErrorSchema>;
  return refs.flatMap((ref) => schemas[ref.split('/').pop()!]!.properties.error?.properties.code.enum ?? []);
}

describe('the OpenAPI document', () => {
  it('is committed as generated: run `npm run openapi` after changing a route or a schema', () => {
    expect(committed).toBe(renderOpenApiDocument());
  });

  it('is a valid OpenAPI 3.1 document, every $ref resolved', async () => {
    const validated = await SwaggerParser.validate(JSON.parse(committed));
    expect(validated).toMatchObject({ openapi: '3.1.0' });
  });

  it('describes every route of the contract, and nothing else', () => {
    for (const { name, operation } of routes) expect(operation.responses, name).toBeDefined();
    const described = Object.values(document.paths).flatMap((item) => Object.keys(item));
    expect(described).toHaveLength(API_ROUTES.length);
  });

  it('asks for SigV4 on the IAM routes only', () => {
    expect(document.components.securitySchemes.sigv4).toEqual({
      type: 'apiKey',
      name: 'Authorization',
      in: 'header',
      'x-amazon-apigateway-authtype': 'awsSigv4',
    });
    for (const { name, route, operation } of routes) expect(operation.security, name).toEqual(route.iamAuth ? [{ sigv4: [] }] : []);
  });

  it('takes an Idempotency-Key on the routes the contract marks idempotent only, and names every path parameter', () => {
    for (const { name, route, operation } of routes) {
      const parameters = operation.parameters ?? [];
      const idempotent = 'idempotent' in route;
      expect(
        parameters.some((p) => p.in === 'header' && p.name === 'Idempotency-Key'),
        name,
      ).toBe(idempotent);
      const pathNames = [...route.resource.matchAll(/\{(\w+)\}/g)].map(([, param]) => param);
      expect(
        parameters.filter((p) => p.in === 'path').map((p) => p.name),
        name,
      ).toEqual(pathNames);
    }
  });

  it("lists each error response under its code's status, and the gateway's own 403, 413 and 429 on every route", () => {
    for (const { name, operation } of routes) {
      const errors = Object.entries(operation.responses).filter(([status]) => Number(status) >= 400);
      for (const [status, response] of errors) {
        for (const code of codesOf(response)) expect(ERROR_STATUS[code], `${name} ${code}`).toBe(Number(status));
      }
      const codes = errors.flatMap(([, response]) => codesOf(response));
      for (const { code } of [GATEWAY_ERRORS.ACCESS_DENIED, GATEWAY_ERRORS.REQUEST_TOO_LARGE, GATEWAY_ERRORS.THROTTLED])
        expect(codes, name).toContain(code);
    }
  });

  it("answers the operators' check's report with 503 as with 200, beside the errors a 503 may carry", () => {
    const { responses } = operationOf(API_ROUTES.find((route) => route.operationId === 'checkDependencies')!);
    expect(responses['200']!.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/DependencyHealth' });
    expect(responses['503']!.content['application/json'].schema.oneOf).toEqual([
      { $ref: '#/components/schemas/DependencyHealth' },
      { $ref: '#/components/schemas/DependencyUnavailableError' },
    ]);
  });

  it('links each value an operation answers to the operations that take it, by names they have', () => {
    type Link = { operationId: string; parameters?: Record<string, string>; requestBody?: Record<string, string> };
    type Schema = { $ref?: string; oneOf?: Schema[]; properties?: Record<string, unknown> };
    const schemas = document.components.schemas as Record<string, Schema>;
    const fieldsOf = (schema: Schema): string[] =>
      schema.$ref
        ? fieldsOf(schemas[schema.$ref.split('/').pop()!]!)
        : [...(schema.oneOf ?? []).flatMap(fieldsOf), ...Object.keys(schema.properties ?? {})];
    const byId = new Map<string, (typeof routes)[number]>(routes.map((entry) => [entry.route.operationId, entry]));
    const linked = new Map<string, string[]>();
    for (const { route, operation } of routes) {
      const [, success] = Object.entries(operation.responses).find(([status]) => status.startsWith('2'))!;
      const links = (success as { links?: Record<string, Link> }).links ?? {};
      const answered = fieldsOf((success.content?.['application/json'].schema ?? {}) as Schema);
      for (const [name, link] of Object.entries(links)) {
        const target = byId.get(link.operationId);
        expect(target, `${route.operationId} → ${name}`).toBeDefined();
        linked.set(route.operationId, [...(linked.get(route.operationId) ?? []), link.operationId]);
        const pathParameters = (target!.operation.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
        expect(Object.keys(link.parameters ?? {}).sort(), `${route.operationId} → ${name}`).toEqual(
          link.requestBody ? [] : [...pathParameters].sort(),
        );
        for (const expression of [...Object.values(link.parameters ?? {}), ...Object.values(link.requestBody ?? {})]) {
          const [, field] = /^\$response\.body#\/(\w+)$/.exec(expression) ?? [];
          expect(answered, `${route.operationId} → ${name}: ${expression}`).toContain(field);
        }
      }
    }
    expect(linked.get('createKey')).toEqual(expect.arrayContaining(['getKey', 'rotateKey', 'createGrant', 'encrypt', 'generateDataKey']));
    expect(linked.get('encrypt')).toEqual(['decrypt', 'rewrap']);
    expect(linked.get('rewrap')).toEqual(['decrypt', 'rewrap']);
    expect(linked.get('createGrant')).toEqual(['revokeGrant', 'retireGrant']);
  });

  it('says once, in its description, what answers an unsigned request or an unknown route', () => {
    expect(document.info.description).toContain(UNROUTED_REQUEST_RULE);
    expect(UNROUTED_REQUEST_RULE).toMatch(/403 `AccessDenied`.*never 401, 404 or 405/);
  });

  it('is served, unauthenticated, by the public function', async () => {
    const event = (resource: string) => ({ httpMethod: 'GET', resource }) as APIGatewayProxyEvent;
    const served = await publicHandler(event('/v1/openapi.json'));
    expect(served.statusCode).toBe(200);
    expect(JSON.parse(served.body)).toEqual(JSON.parse(committed));
    expect(JSON.parse((await publicHandler(event('/v1/health'))).body)).toEqual({ status: 'ok' });
  });
});

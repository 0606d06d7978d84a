import type * as z from 'zod/mini';
import { API_ROUTES, IDEMPOTENCY_KEY_PATTERN, type ApiRoute, type RouteName } from '../../../contract/index.js';
import { KeyReference } from '../schemas.js';
import { componentSchemas, inlineSchema, schemaOf, type JsonSchema } from './components.js';
import { errorResponses, UNROUTED_REQUEST_RULE } from './error-responses.js';
import { linksOf } from './links.js';
import { OPERATIONS, type Operation } from './operations.js';

/** Where the generated document is committed, relative to the repository root. */
export const OPENAPI_FILE = 'docs/openapi.json';

const SIGV4 = 'sigv4';

/** API Gateway's SigV4 (IAM) authorization, as it imports and exports it. */
const SIGV4_SCHEME = { type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': 'awsSigv4' };

const SUCCESS_DESCRIPTIONS = { 200: 'OK', 201: 'Created', 204: 'No content' } as const;

const ANY_PATH_PARAMETER = { schema: { type: 'string', minLength: 1 } };
const PATH_PARAMETERS: Record<string, JsonSchema> = {
  key: {
    description: "The key id (a UUID, `keyId` in a key's metadata) or `alias/<name>`, percent-encoded (`alias%2Fname`).",
    schema: schemaOf(KeyReference, 'input'),
  },
  grantId: { description: 'A grant id, `grantId` in a grant as created or listed; any other value is a `GrantNotFound`.', ...ANY_PATH_PARAMETER },
};

const IDEMPOTENCY_KEY = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description: 'Makes the request safely retryable: a retry with the same key and request answers the first outcome for 24 hours.',
  schema: { type: 'string', pattern: IDEMPOTENCY_KEY_PATTERN.source },
};

/**
 * What no schema below can say for every object at once: the functions' JSON parsing (see
 * `jsonBodyParser` in lambdas/http/api-handler.ts) refuses these keys wherever they are, batch items included.
 */
export const FORBIDDEN_KEYS_RULE =
  'A JSON body that holds a `__proto__` key at any depth, or a `constructor` key whose value has a `prototype`, is refused whole with 400 `ValidationError`, whatever its schema allows (tags, contexts and batch items included).';

const INFO = {
  title: 'Envelope API',
  version: '1',
  description: [
    'Envelope encryption under KMS-wrapped data keys. JSON in and out; binary values are standard base64.',
    'Every route but the public ones needs a SigV4-signed request (service `execute-api`).',
    UNROUTED_REQUEST_RULE,
    FORBIDDEN_KEYS_RULE,
    'Errors answer `{"error": {"code", "message"}}`. Generated from the service\'s schemas by `npm run openapi`.',
  ].join(' '),
};

const SERVERS = [
  {
    url: 'https://{restApiId}.execute-api.{region}.amazonaws.com/{stage}',
    description: 'A deployed stage (API Gateway REST API)',
    variables: { restApiId: { default: 'restApiId' }, region: { default: 'us-east-1' }, stage: { default: 'dev' } },
  },
  { url: 'http://127.0.0.1:3000', description: 'The local runtime (`npm start`)' },
];

const pathParameters = (resource: string) =>
  [...resource.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({ name, in: 'path', required: true, ...(PATH_PARAMETERS[name!] ?? ANY_PATH_PARAMETER) }));

function queryParameters(query: z.ZodMiniObject | undefined) {
  if (!query) return [];
  const { properties = {}, required = [] } = inlineSchema(query, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(properties).map(([name, schema]) => ({ name, in: 'query', required: required.includes(name), schema }));
}

/** One schema, or exactly one of several. */
function oneOf(schemas: readonly z.ZodMiniType[], io: 'input' | 'output'): JsonSchema {
  const converted = schemas.map((schema) => schemaOf(schema, io));
  return converted.length === 1 ? converted[0]! : { oneOf: converted };
}

const json = (schema: JsonSchema) => ({ 'application/json': { schema } });

function operationOf(route: ApiRoute, operation: Operation) {
  const { summary, description, body, query, success, errors, report } = operation;
  const parameters = [...pathParameters(route.resource), ...queryParameters(query), ...(route.idempotent ? [IDEMPOTENCY_KEY] : [])];
  return {
    operationId: route.operationId,
    summary,
    ...(description && { description }),
    tags: [route.audience],
    security: route.iamAuth ? [{ [SIGV4]: [] }] : [],
    ...(parameters.length > 0 && { parameters }),
    ...(body && { requestBody: { required: body.required, content: json(oneOf(body.schemas, 'input')) } }),
    responses: {
      [success.status]: {
        description: SUCCESS_DESCRIPTIONS[success.status],
        ...(success.schemas && { content: json(oneOf(success.schemas, 'output')) }),
        ...(linksOf(route.operationId) && { links: linksOf(route.operationId) }),
      },
      ...errorResponses(route, errors, report && { ...report, schema: schemaOf(report.schema, 'output') }),
    },
  };
}

function paths(): Record<string, Record<string, unknown>> {
  const byResource: Record<string, Record<string, unknown>> = {};
  for (const route of API_ROUTES) {
    const operation = OPERATIONS[`${route.method} ${route.resource}` as RouteName];
    byResource[route.resource] = { ...byResource[route.resource], [route.method.toLowerCase()]: operationOf(route, operation) };
  }
  return byResource;
}

/** The OpenAPI 3.1 document of the whole API, from the route table and the request and response schemas. */
export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: INFO,
    servers: SERVERS,
    paths: paths(),
    components: { schemas: componentSchemas(), securitySchemes: { [SIGV4]: SIGV4_SCHEME } },
  };
}

/** The document as committed: two-space JSON with a final newline. */
export const renderOpenApiDocument = (): string => `${JSON.stringify(openApiDocument(), null, 2)}\n`;

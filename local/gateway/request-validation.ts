/**
 * API Gateway's basic request validation ("Request validation for REST APIs in API Gateway"): the
 * required request parameters must be present and not blank, and the body must adhere to the
 * method's model for the request's content type. "If no matching content type is found, request
 * validation is not performed"; a model for `$default` applies to any content type. A request
 * without a Content-Type is read as `application/json` ("Method request behavior for payloads
 * without mapping templates for REST APIs in API Gateway").
 *
 * Models are JSON schema draft 4; the local gateway validates the keywords this API's models use
 * (`type`) and refuses, when it starts, a model with any other, rather than pass bodies API Gateway
 * would refuse.
 */

export type JsonType = 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null';

/** What a method's request validator checks, from its RequestValidator, RequestModels and RequestParameters. */
export interface RequestValidation {
  /** Allowed JSON types of the body, by lower-cased media type (or `$default`); only when the validator validates bodies. */
  readonly bodyModels: Readonly<Record<string, readonly JsonType[]>>;
  /** Required parameters; only when the validator validates parameters. */
  readonly requiredParameters: readonly { readonly location: 'header' | 'querystring' | 'path'; readonly name: string }[];
}

export const NO_VALIDATION: RequestValidation = { bodyModels: {}, requiredParameters: [] };

/** The parts of a request validation reads. */
export interface ValidatedRequest {
  readonly headers: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly pathParameters: Readonly<Record<string, string>> | null;
  /** The body decoded as UTF-8. */
  readonly body: string;
}

export type ValidationFailure = {
  readonly type: 'BAD_REQUEST_PARAMETERS' | 'BAD_REQUEST_BODY';
  readonly message: string;
  readonly validationErrorString: string;
};

const JSON_TYPES: readonly JsonType[] = ['object', 'array', 'string', 'number', 'integer', 'boolean', 'null'];
const DESCRIPTIVE_KEYWORDS = new Set(['$schema', 'title', 'description']);

/** The types a model's schema allows; a schema with a keyword the local gateway does not check is refused. */
export function modelTypes(modelName: string, schema: unknown): readonly JsonType[] {
  const parsed = typeof schema === 'string' ? (JSON.parse(schema) as unknown) : schema;
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`Model ${modelName}: the schema is not an object.`);
  const unchecked = Object.keys(parsed).filter((keyword) => keyword !== 'type' && !DESCRIPTIVE_KEYWORDS.has(keyword));
  if (unchecked.length > 0) throw new Error(`Model ${modelName}: the local gateway does not validate ${unchecked.join(', ')}.`);
  const { type } = parsed as { type?: unknown };
  if (type === undefined) return JSON_TYPES;
  const types = [type].flat();
  if (!types.every((t): t is JsonType => JSON_TYPES.includes(t as JsonType)))
    throw new Error(`Model ${modelName}: unknown type ${JSON.stringify(type)}.`);
  return types;
}

/** Validates a request as the method's request validator would; `undefined` when it passes. */
export function validateRequest(validation: RequestValidation, request: ValidatedRequest): ValidationFailure | undefined {
  const missing = validation.requiredParameters
    .filter(({ location, name }) => {
      const value =
        location === 'header'
          ? request.headers[name.toLowerCase()]
          : location === 'querystring'
            ? request.query.get(name)
            : request.pathParameters?.[name];
      return value === undefined || value === null || value.trim() === '';
    })
    .map(({ name }) => name);
  if (missing.length > 0) {
    // Worded as in "Test basic request validation in API Gateway".
    const message = `Missing required request parameters: [${missing.join(', ')}]`;
    return { type: 'BAD_REQUEST_PARAMETERS', message, validationErrorString: message };
  }
  const mediaType = (request.headers['content-type'] ?? 'application/json').split(';')[0]!.trim().toLowerCase();
  // The caller names the media type: only the method's own models count (a Content-Type of
  // `constructor` or `__proto__` has none, as `text/plain` has none).
  const allowed = ownModel(validation.bodyModels, mediaType) ?? ownModel(validation.bodyModels, '$default');
  if (allowed === undefined) return undefined;
  const problem = bodyProblem(request.body, allowed);
  return problem === undefined ? undefined : { type: 'BAD_REQUEST_BODY', message: 'Invalid request body', validationErrorString: `[${problem}]` };
}

function ownModel(models: RequestValidation['bodyModels'], mediaType: string): readonly JsonType[] | undefined {
  return Object.hasOwn(models, mediaType) ? models[mediaType] : undefined;
}

/**
 * Why the body breaks the model, if it does. A body of JSON `null` is of the type `null`, which a
 * model of type `object` does not allow: API Gateway validates against the model as JSON Schema
 * draft 4 ("Data models for REST APIs",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/models-mappings-models.html), whose
 * `null` is a primitive type of its own (https://tools.ietf.org/html/draft-zyp-json-schema-04,
 * section 3.5), so it answers 400 "Invalid request body" ("Request
 * validation for REST APIs in API Gateway",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html).
 */
function bodyProblem(body: string, allowed: readonly JsonType[]): string | undefined {
  // AWS documents nothing for an empty body; LocalStack, whose API Gateway is checked against AWS's,
  // validates it as an empty object, and so does the local gateway.
  let value: unknown = {};
  if (body.length > 0) {
    try {
      value = JSON.parse(body);
    } catch (error) {
      return `Unable to parse the body as JSON: ${(error as Error).message}`;
    }
  }
  const actual = jsonTypeOf(value);
  const matches = allowed.includes(actual) || (actual === 'integer' && allowed.includes('number'));
  // json-schema-validator's wording, which API Gateway reports in $context.error.validationErrorString.
  return matches ? undefined : `instance type (${actual}) does not match any allowed primitive type (allowed: ${JSON.stringify(allowed)})`;
}

function jsonTypeOf(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value as 'object' | 'string' | 'boolean';
}

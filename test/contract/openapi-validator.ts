import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { OPENAPI_FILE } from '../../lambdas/http/openapi/document.js';

// The committed document's response schemas, as validators. zod's `fromJSONSchema` (a direct
// dependency) reads the JSON Schema back; it resolves `#/$defs/…` references, so the document's
// components are handed to it as `$defs`.

type JsonSchema = Record<string, unknown>;
interface Document {
  readonly paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: { 'application/json': { schema: JsonSchema } } } | undefined> }>
  >;
  readonly components: { readonly schemas: Record<string, JsonSchema> };
}

export const committedDocument = JSON.parse(readFileSync(new URL(`../../${OPENAPI_FILE}`, import.meta.url), 'utf8')) as Document;

const withComponentsAsDefs = (schema: JsonSchema): JsonSchema =>
  JSON.parse(JSON.stringify({ ...schema, $defs: committedDocument.components.schemas }).replaceAll('"#/components/schemas/', '"#/$defs/'));

const validators = new Map<string, z.ZodType | undefined>();
/** A response documented without content has no body. */
const NO_BODY = z.undefined();

/** The validator of a route's response body for a status, or undefined when the document lists no such response. */
export function responseValidator(method: string, resource: string, status: number): z.ZodType | undefined {
  const id = `${method} ${resource} ${status}`;
  if (!validators.has(id)) {
    const response = committedDocument.paths[resource]?.[method.toLowerCase()]?.responses[String(status)];
    const schema = response?.content?.['application/json'].schema;
    validators.set(id, response && (schema ? z.fromJSONSchema(withComponentsAsDefs(schema)) : NO_BODY));
  }
  return validators.get(id);
}

/** Problems of a body against the document's schema for its route and status: none when it conforms. */
export function nonConformities(method: string, resource: string, status: number, body: unknown): string[] {
  const validator = responseValidator(method, resource, status);
  if (!validator) return [`${method} ${resource} documents no ${status} response`];
  const result = validator.safeParse(body);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`);
}

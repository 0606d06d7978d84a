import * as z from 'zod/mini';
import type { ErrorCode } from '../../../contract/index.js';
import * as request from '../schemas.js';
import * as response from '../response-schemas.js';

export type JsonSchema = Record<string, unknown>;
type Schema = z.ZodMiniType;
type BatchBody = z.ZodMiniObject<{ items: z.ZodMiniArray }>;

const SCHEMAS_PATH = '#/components/schemas/';

/**
 * A batch body as the document shows it: the handler's own (its `items` array and limits, any value
 * in it), each item typed loosely, as the service takes it: the item schema, or any other value,
 * which the answer reports in the item's place (`BATCH_ITEM_RULE`).
 */
function documentedBatch(batch: BatchBody, item: Schema): BatchBody {
  const { items } = batch.shape;
  const element = z.union([item, z.unknown()]).check(z.describe(`${request.BATCH_ITEM_RULE} See the item schema in \`anyOf\`.`));
  const documented = z.strictObject({ ...batch.shape, items: items.clone({ ...items.def, element }) });
  const meta = z.globalRegistry.get(batch);
  return (meta ? documented.check(z.meta(meta)) : documented) as BatchBody;
}

/** The batch bodies validate their items one by one, after the body; the document describes them in place. */
export const EncryptBatchBody = documentedBatch(request.EncryptBatchBody, request.PlaintextItem);
export const CiphertextBatchBody = documentedBatch(request.CiphertextBatchBody, request.CiphertextItem);

/** One error body per code, named `<Code>Error`, so that each response lists the codes it may answer. */
export const ERROR_BODIES = new Map<ErrorCode, Schema>(response.ERROR_CODES.map((code) => [code, response.errorBody([code])]));
const errorBodyName = (code: ErrorCode) => (code.endsWith('Error') ? code : `${code}Error`);
const namedErrorBodies = Object.fromEntries([...ERROR_BODIES].map(([code, schema]) => [errorBodyName(code), schema]));

const isSchema = (value: unknown): value is Schema => value instanceof z.core.$ZodType;
const schemasOf = (module: object): Record<string, Schema> => Object.fromEntries(Object.entries(module).filter(([, value]) => isSchema(value)));

/** Named schemas, by their export names: requests as callers send them, responses as the API answers them. */
function registryOf(schemas: Record<string, Schema>) {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(schemas)) registry.add(schema, { id });
  return registry;
}

const requests = registryOf({ ...schemasOf(request), EncryptBatchBody, CiphertextBatchBody });
/** Named by export, but `Tags` as requests send it (with KMS's rules) is not `Tags` as the API answers them. */
const { Tags: KeyTags, ...responseSchemas } = schemasOf(response);
const responses = registryOf({ ...responseSchemas, KeyTags: KeyTags!, ...namedErrorBodies });

const withoutDialect = ({ $schema, $id, ...schema }: JsonSchema): JsonSchema => schema;

/** One schema as JSON Schema (2020-12, the dialect of OpenAPI 3.1), everything inline. */
export const inlineSchema = (schema: Schema, io: 'input' | 'output'): JsonSchema => withoutDialect(z.toJSONSchema(schema, { io }));

/** A named schema by reference, any other inline. */
export function schemaOf(schema: Schema, io: 'input' | 'output'): JsonSchema {
  const id = (io === 'input' ? requests : responses).get(schema)?.id;
  return id === undefined ? inlineSchema(schema, io) : { $ref: `${SCHEMAS_PATH}${id}` };
}

/** The document's `components.schemas`: every named schema, referring to the others by `$ref`. */
export function componentSchemas(): Record<string, JsonSchema> {
  const convert = (registry: z.core.$ZodRegistry<{ id: string }>, io: 'input' | 'output') =>
    Object.entries(z.toJSONSchema(registry, { io, uri: (id) => `${SCHEMAS_PATH}${id}` }).schemas).map(([id, schema]): [string, JsonSchema] => [
      id,
      withoutDialect(schema),
    ]);
  const byName = ([a]: [string, JsonSchema], [b]: [string, JsonSchema]) => (a < b ? -1 : 1);
  const all = [...convert(requests, 'input'), ...convert(responses, 'output')].sort(byName);
  const twice = all.filter(([id], index) => index > 0 && all[index - 1]![0] === id).map(([id]) => id);
  if (twice.length > 0) throw new Error(`Request and response schemas share the names ${twice.join(', ')}: a $ref would name either`);
  return Object.fromEntries(all);
}

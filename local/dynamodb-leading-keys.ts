/**
 * `dynamodb:LeadingKeys`, as DynamoDB sets it for IAM: the partition key values of the items a
 * request names ("Using IAM policy conditions for fine-grained access control"). The key is
 * multivalued: each item of a batch adds its value for its table, and a transaction's parts are
 * evaluated one by one. A query names the one value its key condition sets the partition key equal
 * to. Requests that name no item (Scan, a query on an index, table operations) carry no value.
 */

type Input = Readonly<Record<string, unknown>>;

/** The partition key values a request names, once its table's partition key attribute is known. */
export type LeadingKeys = (partitionKey: string) => readonly string[];

/** Where single-item operations name their item. */
const ITEM_FIELD: Readonly<Record<string, 'Key' | 'Item'>> = { GetItem: 'Key', DeleteItem: 'Key', UpdateItem: 'Key', PutItem: 'Item' };

/** For an operation on one table: its item's key, or a query's key condition (not on an index). */
export function leadingKeysOf(operation: string, input: Input): LeadingKeys | undefined {
  const field = Object.hasOwn(ITEM_FIELD, operation) ? ITEM_FIELD[operation] : undefined;
  if (field !== undefined) return ofItems([input[field]]);
  if (operation === 'Query' && input.IndexName === undefined) return ofKeyCondition(input);
  return undefined;
}

/** For one table's part of a batch: every key it gets, every item it puts or deletes. */
export function batchLeadingKeys(operation: 'BatchGetItem' | 'BatchWriteItem', requests: unknown): LeadingKeys {
  if (operation === 'BatchGetItem') return ofItems(listOf(field(requests, 'Keys')));
  return ofItems(listOf(requests).map((request) => field(field(request, 'PutRequest'), 'Item') ?? field(field(request, 'DeleteRequest'), 'Key')));
}

/** For one part of a transaction: its key, or the item it puts. */
export const transactionPartLeadingKeys = (part: unknown): LeadingKeys => ofItems([field(part, 'Key') ?? field(part, 'Item')]);

/** Each item's (or key's) partition key value, once each. */
const ofItems =
  (items: readonly unknown[]): LeadingKeys =>
  (partitionKey) =>
    unique(items.map((item) => scalarOf(field(item, partitionKey))));

/** The value a query's key condition sets the partition key equal to: `KeyConditionExpression`, or the legacy `KeyConditions`. */
const ofKeyCondition =
  (input: Input): LeadingKeys =>
  (partitionKey) => {
    const legacy = field(input.KeyConditions, partitionKey);
    if (legacy !== undefined)
      return field(legacy, 'ComparisonOperator') === 'EQ' ? unique([scalarOf(listOf(field(legacy, 'AttributeValueList'))[0])]) : [];
    const expression = typeof input.KeyConditionExpression === 'string' ? input.KeyConditionExpression : '';
    const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
    for (const clause of expression.split(/\s+AND\s+/i)) {
      const [, name, placeholder] = /^\s*\(?\s*([#\w.-]+)\s*=\s*(:[\w-]+)\s*\)?\s*$/.exec(clause) ?? [];
      if (name !== undefined && (names[name] ?? name) === partitionKey)
        return unique([scalarOf(field(input.ExpressionAttributeValues, placeholder!))]);
    }
    return [];
  };

/** A key attribute's value in DynamoDB JSON (`{"S": …}`, `{"N": …}` or `{"B": …}`) as the condition key holds it. */
function scalarOf(value: unknown): string | undefined {
  for (const type of ['S', 'N', 'B']) {
    const scalar = field(value, type);
    if (typeof scalar === 'string') return scalar;
  }
  return undefined;
}

function field(value: unknown, name: string): unknown {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(value, name)
    ? (value as Record<string, unknown>)[name]
    : undefined;
}

const listOf = (value: unknown): readonly unknown[] => (Array.isArray(value) ? value : []);

const unique = (values: readonly (string | undefined)[]): string[] => [...new Set(values.filter((value) => value !== undefined))];

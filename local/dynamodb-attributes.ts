/**
 * `dynamodb:Attributes` and `dynamodb:ReturnValues`, as DynamoDB sets them for IAM ("Using IAM
 * policy conditions for fine-grained access control", DynamoDB Developer Guide,
 * specifying-conditions.html): the top-level attribute names a request accesses, the item's key
 * attributes among them, and the `ReturnValues` it asks for. Set here for UpdateItem, the one
 * request the service's policies condition on them (the crypto function may update a version's
 * last-use hour and nothing else).
 */

type Input = Readonly<Record<string, unknown>>;

const KEYWORDS = new Set(['SET', 'REMOVE', 'ADD', 'DELETE', 'AND', 'OR', 'NOT', 'BETWEEN', 'IN']);

/** The condition keys an UpdateItem request sets; none for other operations. */
export function attributeConditionKeys(operation: string, input: Input): Record<string, string | string[]> | undefined {
  if (operation !== 'UpdateItem') return undefined;
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const attributes = new Set([
    ...keysOf(input.Key),
    ...keysOf(input.AttributeUpdates),
    ...keysOf(input.Expected),
    ...topLevelNames(input.UpdateExpression, names),
    ...topLevelNames(input.ConditionExpression, names),
  ]);
  return {
    'dynamodb:Attributes': [...attributes],
    ...(typeof input.ReturnValues === 'string' && { 'dynamodb:ReturnValues': input.ReturnValues }),
  };
}

/**
 * The first element of every document path in an expression: `#n` resolved through the request's
 * names, bare names as they are; values (`:v`), keywords and function names are not attributes.
 */
export function topLevelNames(expression: unknown, names: Readonly<Record<string, string>>): string[] {
  if (typeof expression !== 'string') return [];
  const found: string[] = [];
  const path = /(:?)(#?[A-Za-z_][\w-]*)((?:\.#?[\w-]+|\[\d+\])*)(\s*\()?/g;
  for (const [, value, head, , call] of expression.matchAll(path)) {
    if (value || call || KEYWORDS.has(head!.toUpperCase())) continue;
    found.push(head!.startsWith('#') ? (names[head!] ?? head!) : head!);
  }
  return found;
}

function keysOf(value: unknown): string[] {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value) : [];
}

import type { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, type NagRuleResult } from 'cdk-nag';
import { identityPolicyStatements, type PolicyStatement } from './policy-statements.js';

/** DynamoDB's multivalued condition keys: the partition keys and the attributes a request names. */
const MULTIVALUED_KEYS = ['dynamodb:LeadingKeys', 'dynamodb:Attributes'];

/**
 * An Allow that restricts a DynamoDB multivalued condition key with `ForAllValues:` also requires
 * the key to be present (`Null: {key: "false"}`): `ForAllValues` holds for a request that sets no
 * value at all. Findings: `<condition key>`.
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleResult => {
    const statements = identityPolicyStatements(node);
    if (statements === undefined) return NagRuleCompliance.NOT_APPLICABLE;
    const findings = new Set(statements.flatMap(unguardedKeys));
    return findings.size > 0 ? [...findings] : NagRuleCompliance.COMPLIANT;
  },
  'name',
  { value: 'DynamoDBForAllValuesNullGuarded' },
);

function unguardedKeys(statement: PolicyStatement): string[] {
  if (!statement.allows) return [];
  const guarded = keysOf(statement.condition.Null).filter((key) => String(entryOf(statement.condition.Null, key)) === 'false');
  const restricted = Object.entries(statement.condition)
    .filter(([operator]) => operator.startsWith('ForAllValues:'))
    .flatMap(([, keys]) => keysOf(keys));
  return restricted.filter(
    (key) =>
      MULTIVALUED_KEYS.some((known) => known.toLowerCase() === key.toLowerCase()) && !guarded.some((g) => g.toLowerCase() === key.toLowerCase()),
  );
}

function keysOf(value: unknown): string[] {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value) : [];
}

function entryOf(value: unknown, key: string): unknown {
  return (value as Record<string, unknown>)[key];
}

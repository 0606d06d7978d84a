import { App, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { expect } from 'vitest';
import { EnvelopeApiChecks } from '../../lib/rules/envelope-api-checks.js';

/** A stack of its own for one case. */
export const testStack = (props?: { account?: string }) =>
  new Stack(new App(), 'Test', props?.account ? { env: { account: props.account, region: 'us-east-1' } } : undefined);

/**
 * What one rule of the EnvelopeApi pack reports in a scope, sorted: `EnvelopeApi-DDB1` for a
 * non-compliant resource, `EnvelopeApi-KMS1[Action::kms:*]` per finding. Fails if the rule threw.
 */
export function findingsOf(scope: IConstruct, ruleId: string): string[] {
  const violations = new EnvelopeApiChecks()
    .validateScope(scope)
    .violations.filter((violation) => violation.ruleName === ruleId || violation.ruleName.startsWith(`${ruleId}[`));
  expect(
    violations.filter((violation) => violation.description.startsWith('Rule threw')).map((v) => v.ruleName),
    `${ruleId} threw`,
  ).toEqual([]);
  return violations.map((violation) => violation.ruleName).sort();
}

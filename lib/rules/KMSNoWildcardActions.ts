import type { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, type NagRuleResult } from 'cdk-nag';
import { identityPolicyStatements, type PolicyStatement } from './policy-statements.js';

/**
 * Identity policies grant no wildcard KMS action: not `*`, `kms:*`, nor a pattern such as
 * `kms:Re*` or `kms:Generate*`, nor an Allow with a `NotAction` that leaves KMS in.
 * Findings: `Action::<pattern>` and `NotAction::<patterns>`.
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleResult => {
    const statements = identityPolicyStatements(node);
    if (statements === undefined) return NagRuleCompliance.NOT_APPLICABLE;
    const findings = new Set(statements.flatMap(wildcardFindings));
    return findings.size > 0 ? [...findings] : NagRuleCompliance.COMPLIANT;
  },
  'name',
  { value: 'KMSNoWildcardActions' },
);

function wildcardFindings(statement: PolicyStatement): string[] {
  if (!statement.allows) return [];
  if (statement.notActions) {
    return statement.notActions.some(coversAllOfKms) ? [] : [`NotAction::${statement.notActions.join(',')}`];
  }
  return statement.actions.filter((action) => /[*?]/.test(action) && mayNameKms(action)).map((action) => `Action::${action}`);
}

/** Whether a pattern's text can begin with `kms:`, so its wildcard reaches KMS actions. */
function mayNameKms(pattern: string): boolean {
  const prefix = 'kms:';
  for (const [index, expected] of [...prefix].entries()) {
    const c = pattern[index];
    if (c === '*') return true;
    if (c === undefined || (c !== '?' && c.toLowerCase() !== expected)) return false;
  }
  return true;
}

/** Whether a `NotAction` pattern excludes every KMS action (`*`, `kms:*`, `k*`...). */
function coversAllOfKms(pattern: string): boolean {
  return /^(\*|k\*|km\*|kms\*|kms:\*)$/i.test(pattern);
}

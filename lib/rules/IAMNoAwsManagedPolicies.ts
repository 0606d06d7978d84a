import type { CfnResource } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { NagRuleCompliance, type NagRuleResult } from 'cdk-nag';
import { resolvedStrings } from './cfn-values.js';

/**
 * IAM roles, users and groups attach no AWS managed policy (`arn:<partition>:iam::aws:policy/...`,
 * however the partition is written). Findings: `Policy::<arn>`.
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleResult => {
    if (!(node instanceof iam.CfnRole || node instanceof iam.CfnUser || node instanceof iam.CfnGroup)) {
      return NagRuleCompliance.NOT_APPLICABLE;
    }
    const findings = new Set(
      resolvedStrings(node, node.managedPolicyArns)
        .filter(isAwsManagedPolicy)
        .map((arn) => `Policy::${arn}`),
    );
    return findings.size > 0 ? [...findings] : NagRuleCompliance.COMPLIANT;
  },
  'name',
  { value: 'IAMNoAwsManagedPolicies' },
);

function isAwsManagedPolicy(arn: string): boolean {
  return /^arn:(<[^>]+>|[^:]*):iam::aws:policy\//.test(arn);
}

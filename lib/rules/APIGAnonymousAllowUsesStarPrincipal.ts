import { Stack, type CfnResource } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { NagRuleCompliance } from 'cdk-nag';
import { asList, isRecord } from './cfn-values.js';

/**
 * A REST API's resource policy allows anybody with `"Principal": "*"` (`iam.StarPrincipal`), never
 * with `{"AWS": "*"}` (`iam.AnyPrincipal`), which admits only callers signed with AWS credentials.
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleCompliance => {
    const policy = node instanceof apigateway.CfnRestApi ? restApiPolicy(node) : undefined;
    if (policy === undefined) return NagRuleCompliance.NOT_APPLICABLE;
    const statements = asList(policy.Statement).filter(isRecord);
    return statements.some(allowsAnyAwsPrincipal) ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
  },
  'name',
  { value: 'APIGAnonymousAllowUsesStarPrincipal' },
);

/** The resolved policy document, given as an object or as its JSON text; `undefined` without one (CDK renders none as an empty token). */
export function restApiPolicy(node: apigateway.CfnRestApi): Record<string, unknown> | undefined {
  const policy = Stack.of(node).resolve(node.policy) as unknown;
  if (typeof policy !== 'string') return isRecord(policy) ? policy : undefined;
  try {
    const parsed = JSON.parse(policy) as unknown;
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function allowsAnyAwsPrincipal(statement: Record<string, unknown>): boolean {
  return statement.Effect === 'Allow' && isRecord(statement.Principal) && asList(statement.Principal.AWS).includes('*');
}

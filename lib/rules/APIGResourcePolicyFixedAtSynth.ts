import { Stack, type CfnResource } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { NagRuleCompliance } from 'cdk-nag';
import { parametersReferenced } from './cfn-references.js';

/**
 * A REST API's resource policy is fixed at synth time: it names no template parameter, directly
 * (`Ref`, `Fn::Sub`) or through a condition (`Fn::If`), however deep in the document.
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleCompliance => {
    const stack = Stack.of(node);
    const policy = node instanceof apigateway.CfnRestApi ? (stack.resolve(node.policy) as unknown) : undefined;
    if (policy === undefined) return NagRuleCompliance.NOT_APPLICABLE;
    const parameters = parametersReferenced(stack, policy);
    return parameters.length > 0 ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
  },
  'name',
  { value: 'APIGResourcePolicyFixedAtSynth' },
);

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
    if (!(node instanceof apigateway.CfnRestApi) || node.policy === undefined) return NagRuleCompliance.NOT_APPLICABLE;
    const stack = Stack.of(node);
    const parameters = parametersReferenced(stack, stack.resolve(node.policy));
    return parameters.length > 0 ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
  },
  'name',
  { value: 'APIGResourcePolicyFixedAtSynth' },
);

import { Stack, type CfnResource } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { NagRuleCompliance } from 'cdk-nag';
import { asList, flattenCfnValue, isRecord, knownPrimitive } from './cfn-values.js';

/**
 * DynamoDB tables (and every replica of a global table) are encrypted with a customer-managed KMS
 * key: `SSEEnabled` true, `SSEType` `KMS` and a `KMSMasterKeyId` that is not an AWS managed alias.
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleCompliance => {
    if (node instanceof dynamodb.CfnTable) {
      const sse = Stack.of(node).resolve(node.sseSpecification) as unknown;
      return compliance(usesKms(node, sse) && isRecord(sse) && isCustomerManaged(sse.kmsMasterKeyId));
    }
    if (node instanceof dynamodb.CfnGlobalTable) {
      const replicas = asList(Stack.of(node).resolve(node.replicas));
      const replicaKeys = replicas.map((replica) =>
        isRecord(replica) && isRecord(replica.sseSpecification) ? replica.sseSpecification.kmsMasterKeyId : undefined,
      );
      return compliance(usesKms(node, Stack.of(node).resolve(node.sseSpecification)) && replicas.length > 0 && replicaKeys.every(isCustomerManaged));
    }
    return NagRuleCompliance.NOT_APPLICABLE;
  },
  'name',
  { value: 'DynamoDBCustomerManagedKey' },
);

const compliance = (compliant: boolean) => (compliant ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT);

/** `SSEEnabled: true` with `SSEType: KMS`; a value decided at deploy time does not count. */
function usesKms(node: CfnResource, sse: unknown): boolean {
  return isRecord(sse) && knownPrimitive(node, sse.sseEnabled) === true && knownPrimitive(node, sse.sseType) === 'KMS';
}

/** A key named (by ARN, id, alias or reference) that is not an AWS managed key's alias (`alias/aws/...`). */
function isCustomerManaged(keyId: unknown): boolean {
  return keyId !== undefined && keyId !== '' && !/(^|:)alias\/aws\//.test(flattenCfnValue(keyId));
}

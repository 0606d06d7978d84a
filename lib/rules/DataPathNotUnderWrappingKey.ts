import { Stack, type CfnResource } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { NagRuleCompliance } from 'cdk-nag';
import { asList, isRecord } from './cfn-values.js';
import { namesWrappingKey, wrappingKeys } from './wrapping-keys.js';

/**
 * Resources on the data path (DynamoDB tables and global tables with their replicas, log groups,
 * secrets) are not encrypted under a wrapping key: a KMS key tagged `envelope-api:role=master-key`
 * anywhere in the app, named by reference, by import from its stack, or by alias.
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleCompliance => {
    const keySettings = encryptionKeySettings(node);
    if (keySettings === undefined) return NagRuleCompliance.NOT_APPLICABLE;
    return namesWrappingKey(Stack.of(node), keySettings, wrappingKeys(node)) ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
  },
  'name',
  { value: 'DataPathNotUnderWrappingKey' },
);

/** The resolved properties that name the resource's KMS key (none set: `[]`); `undefined` for other resources. */
function encryptionKeySettings(node: CfnResource): unknown[] | undefined {
  const stack = Stack.of(node);
  if (node instanceof dynamodb.CfnTable) return [stack.resolve(node.sseSpecification)];
  if (node instanceof dynamodb.CfnGlobalTable) {
    const replicas = asList(stack.resolve(node.replicas)).filter(isRecord);
    return [stack.resolve(node.sseSpecification), ...replicas.map((replica) => replica.sseSpecification)];
  }
  if (node instanceof logs.CfnLogGroup || node instanceof secretsmanager.CfnSecret) return [stack.resolve(node.kmsKeyId)];
  return undefined;
}

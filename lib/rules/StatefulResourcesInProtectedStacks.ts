import { CfnDeletionPolicy, Stack, type CfnResource } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { NagRuleCompliance } from 'cdk-nag';

/**
 * Stateful resources (KMS keys, DynamoDB tables and global tables, secrets, log groups with a fixed
 * name) have `DeletionPolicy: Retain` and sit in a stack with termination protection (a nested
 * stack's is its root stack's).
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleCompliance => {
    if (!isStateful(node)) return NagRuleCompliance.NOT_APPLICABLE;
    const retained = node.cfnOptions.deletionPolicy === CfnDeletionPolicy.RETAIN;
    return retained && rootStack(Stack.of(node)).terminationProtection ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
  'name',
  { value: 'StatefulResourcesInProtectedStacks' },
);

function isStateful(node: CfnResource): boolean {
  return (
    node instanceof kms.CfnKey ||
    node instanceof dynamodb.CfnTable ||
    node instanceof dynamodb.CfnGlobalTable ||
    node instanceof secretsmanager.CfnSecret ||
    (node instanceof logs.CfnLogGroup && Stack.of(node).resolve(node.logGroupName) !== undefined)
  );
}

function rootStack(stack: Stack): Stack {
  return stack.nestedStackParent === undefined ? stack : rootStack(stack.nestedStackParent);
}

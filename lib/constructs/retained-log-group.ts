import { RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/**
 * A log group kept on stack deletion, with its retention from a deploy-time parameter: `LogGroup`
 * takes retention as an enum, so a parameter goes through the L1 property.
 */
export function retainedLogGroup(scope: Construct, id: string, retentionInDays: number): logs.LogGroup {
  const logGroup = new logs.LogGroup(scope, id, { removalPolicy: RemovalPolicy.RETAIN });
  (logGroup.node.defaultChild as logs.CfnLogGroup).retentionInDays = retentionInDays;
  return logGroup;
}

import { Stack, type CfnResource } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { NagRuleCompliance } from 'cdk-nag';
import { asList, isRecord, knownPrimitive } from './cfn-values.js';

/**
 * A REST API stage that logs to CloudWatch (access logs, execution logs at any level but `OFF`, or
 * full request and response data) is deployed by a stack that sets the account's API Gateway
 * CloudWatch role (an `AWS::ApiGateway::Account` with a `CloudWatchRoleArn`), or depends on one
 * that does. Also read: the `StageDescription` of an `AWS::ApiGateway::Deployment`, which creates a
 * stage too. A setting decided at deploy time counts as logging.
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleCompliance => {
    const settings = stageSettings(node);
    if (settings === undefined || !logs(node, settings)) return NagRuleCompliance.NOT_APPLICABLE;
    return stacksDeployedBefore(Stack.of(node)).some(setsCloudWatchRole) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
  'name',
  { value: 'APIGAccessLoggedStageHasAccountRole' },
);

/** The resolved logging settings of a stage, or `undefined` if the resource creates no stage. */
function stageSettings(node: CfnResource): Record<string, unknown> | undefined {
  const stack = Stack.of(node);
  if (node instanceof apigateway.CfnStage) {
    return { accessLogSetting: stack.resolve(node.accessLogSetting), methodSettings: stack.resolve(node.methodSettings) };
  }
  if (node instanceof apigateway.CfnDeployment) {
    const description = stack.resolve(node.stageDescription) as unknown;
    return isRecord(description) ? description : undefined;
  }
  return undefined;
}

function logs(node: CfnResource, settings: Record<string, unknown>): boolean {
  const accessLogs = isRecord(settings.accessLogSetting) && settings.accessLogSetting.destinationArn !== undefined;
  const methodSettings = [settings, ...asList(settings.methodSettings).filter(isRecord)];
  return accessLogs || methodSettings.some((method) => executionLogs(node, method));
}

/** `LoggingLevel` other than `OFF`, or `DataTraceEnabled` not false; an intrinsic may be either. */
function executionLogs(node: CfnResource, method: Record<string, unknown>): boolean {
  const level = method.loggingLevel === undefined ? 'OFF' : knownPrimitive(node, method.loggingLevel);
  const dataTrace = method.dataTraceEnabled === undefined ? false : knownPrimitive(node, method.dataTraceEnabled);
  return level !== 'OFF' || dataTrace !== false;
}

/** The stack and every stack it depends on, transitively. */
function stacksDeployedBefore(stack: Stack): Stack[] {
  const found = new Set<Stack>([stack]);
  for (const current of found) for (const dependency of current.dependencies) found.add(dependency);
  return [...found];
}

function setsCloudWatchRole(stack: Stack): boolean {
  return stack.node
    .findAll()
    .some((c) => c instanceof apigateway.CfnAccount && ![undefined, ''].includes(stack.resolve(c.cloudWatchRoleArn) as string | undefined));
}

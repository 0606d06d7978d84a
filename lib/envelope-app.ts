import { type App, type Environment, Tags, Validations } from 'aws-cdk-lib';
import type { DeploymentTags } from './deployment-tags.js';
import { EnvelopeAccountStack } from './envelope-account-stack.js';
import { EnvelopeApiStack } from './envelope-api-stack.js';
import { EnvelopeDataStack } from './envelope-data-stack.js';
import { EnvelopeKeyStack } from './envelope-key-stack.js';
import { type ApiGatewayCloudWatchRoleChoice, STAGE_NAME } from './stage-context.js';

export interface EnvelopeStacks {
  readonly keyStack: EnvelopeKeyStack;
  readonly dataStack: EnvelopeDataStack;
  readonly apiStack: EnvelopeApiStack;
  /** Present when the app creates API Gateway's CloudWatch role. */
  readonly accountStack?: EnvelopeAccountStack;
}

export interface EnvelopeStageOptions {
  /** @default the CLI's environment (environment-agnostic stacks) */
  readonly env?: Environment;
  /**
   * Tags for the keys and every other taggable resource of the stage's stacks (and the stacks).
   * @default no tags
   */
  readonly tags?: DeploymentTags;
  /**
   * Principals of other accounts that may invoke the API, besides this account's callers.
   * @default []
   */
  readonly crossAccountCallers?: readonly string[];
  /**
   * `create`: the app deploys API Gateway's CloudWatch role and sets it in the region's account
   * settings (stack `EnvelopeAccount`, shared by the stages of the region). `existing`: the
   * account already has one (`aws apigateway get-account`), managed by its platform team.
   * @default 'create'
   */
  readonly apiGatewayCloudWatchRole?: ApiGatewayCloudWatchRoleChoice;
  /**
   * The name of an existing data-key table for the data stack to adopt (see EnvelopeDataStackProps).
   * @default `envelope-api-<stage>-data-keys`
   */
  readonly adoptTableName?: string;
}

export const ACCOUNT_STACK_NAME = 'EnvelopeAccount';

/**
 * Adds one stage of the service to an app: the key stack (the master key) and the data stack (the
 * table, the audit trail and their storage key), both stateful and termination-protected, and the
 * stateless API stack over them.
 */
export function addEnvelopeStage(app: App, stage: string, options: EnvelopeStageOptions = {}): EnvelopeStacks {
  if (!STAGE_NAME.pattern.test(stage)) throw new Error(`stage must be ${STAGE_NAME.rule}, not ${stage}.`);
  const { env, tags = {}, apiGatewayCloudWatchRole = 'create' } = options;
  const keyStack = new EnvelopeKeyStack(app, `EnvelopeKey-${stage}`, { stage, env, description: `Envelope API (${stage}): master key` });
  const dataStack = new EnvelopeDataStack(app, `EnvelopeData-${stage}`, {
    stage,
    env,
    tableName: options.adoptTableName,
    description: `Envelope API (${stage}): data-key table, audit trail and their storage key`,
  });
  const apiStack = new EnvelopeApiStack(app, `EnvelopeApi-${stage}`, {
    stage,
    env,
    masterKey: keyStack.masterKey,
    table: dataStack.table,
    auditTrail: dataStack.auditTrail,
    crossAccountCallers: options.crossAccountCallers,
    description: `Envelope API (${stage}): functions, REST API, alarms and dashboard`,
  });
  const accountStack =
    apiGatewayCloudWatchRole === 'create'
      ? ((app.node.tryFindChild(ACCOUNT_STACK_NAME) as EnvelopeAccountStack | undefined) ??
        new EnvelopeAccountStack(app, ACCOUNT_STACK_NAME, { env, description: "Envelope API: API Gateway's CloudWatch role for this region" }))
      : undefined;
  if (accountStack) apiStack.addStackDependency(accountStack, "the stage's access logs need the region's API Gateway CloudWatch role");
  else {
    Validations.of(apiStack.api.api.deploymentStage).acknowledge({
      id: 'EnvelopeApi-APIG3',
      reason: 'Deployed with -c apiGatewayCloudWatchRole=existing: the account already sets cloudWatchRoleArn in this region.',
    });
  }
  for (const stack of [keyStack, dataStack, apiStack]) {
    for (const [key, value] of Object.entries(tags)) Tags.of(stack).add(key, value);
  }
  return { keyStack, dataStack, apiStack, accountStack };
}

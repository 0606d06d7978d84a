import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { deploymentTagsFromContext } from '../lib/deployment-tags.js';
import { addEnvelopeStage, type EnvelopeStageOptions } from '../lib/envelope-app.js';
import { EnvelopeApiChecks } from '../lib/rules/envelope-api-checks.js';
import { adoptTableNameFromContext, apiGatewayCloudWatchRoleFromContext, crossAccountCallersFromContext } from '../lib/stage-context.js';

/**
 * The CDK app: `npx cdk deploy --all -c stage=prod -c tags='{"team":"platform"}'`, optionally with
 * `-c callers=<ARNs of other accounts' principals>`, `-c apiGatewayCloudWatchRole=existing` and
 * (upgrading from two stacks) `-c adoptTableName=<existing table>`.
 */
const app = new App();
const context = (name: string): unknown => app.node.tryGetContext(name);

/** The context values, checked: a bad one stops the synth with its reason, not a stack trace. */
function stageOptions(): EnvelopeStageOptions {
  try {
    return {
      env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
      tags: deploymentTagsFromContext(context('tags')),
      crossAccountCallers: crossAccountCallersFromContext(context('callers')),
      apiGatewayCloudWatchRole: apiGatewayCloudWatchRoleFromContext(context('apiGatewayCloudWatchRole')),
      adoptTableName: adoptTableNameFromContext(context('adoptTableName')),
    };
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}

const stage = (context('stage') as string | undefined) ?? process.env.ENVELOPE_STAGE ?? 'dev';
addEnvelopeStage(app, stage, stageOptions());
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new EnvelopeApiChecks(app));

import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { deploymentEnvironment, missingCredentialsWarning } from '../lib/deployment-environment.js';
import { deploymentTagsFromContext } from '../lib/deployment-tags.js';
import { addEnvelopeStage, type EnvelopeStageOptions } from '../lib/envelope-app.js';
import { EnvelopeApiChecks } from '../lib/rules/envelope-api-checks.js';
import {
  adoptTableNameFromContext,
  apiGatewayCloudWatchRoleFromContext,
  crossAccountCallersFromContext,
  stageFromContext,
} from '../lib/stage-context.js';

/**
 * The CDK app: `npx cdk deploy --all -c stage=prod -c tags='{"team":"platform"}'`, optionally with
 * `-c callers=<ARNs of other accounts' principals>`, `-c apiGatewayCloudWatchRole=existing` and
 * (upgrading from two stacks) `-c adoptTableName=<existing table>`.
 */
const app = new App();
const context = (name: string): unknown => app.node.tryGetContext(name);

/** The context values, checked: a bad one stops the synth with its reason, not a stack trace. */
function stageOptions(): EnvelopeStageOptions & { stage: string } {
  try {
    return {
      stage: stageFromContext(context('stage') ?? process.env.ENVELOPE_STAGE),
      env: deploymentEnvironment(),
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

const { stage, ...options } = stageOptions();
const warning = missingCredentialsWarning();
if (warning !== undefined) console.warn(warning);
addEnvelopeStage(app, stage, options);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new EnvelopeApiChecks(app));

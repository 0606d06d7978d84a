import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { deploymentTagsFromContext } from '../lib/deployment-tags.js';
import { addEnvelopeStage } from '../lib/envelope-app.js';
import { EnvelopeApiChecks } from '../lib/rules/envelope-api-checks.js';
import { apiGatewayCloudWatchRoleFromContext, crossAccountCallersFromContext } from '../lib/stage-context.js';

/**
 * The CDK app: `npx cdk deploy --all -c stage=prod -c tags='{"team":"platform"}'`, optionally with
 * `-c callers=<ARNs of other accounts' principals>` and `-c apiGatewayCloudWatchRole=existing`.
 */
const app = new App();
const context = (name: string): unknown => app.node.tryGetContext(name);
const stage = (context('stage') as string | undefined) ?? process.env.ENVELOPE_STAGE ?? 'dev';
addEnvelopeStage(app, stage, {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  tags: deploymentTagsFromContext(context('tags')),
  crossAccountCallers: crossAccountCallersFromContext(context('callers')),
  apiGatewayCloudWatchRole: apiGatewayCloudWatchRoleFromContext(context('apiGatewayCloudWatchRole')),
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new EnvelopeApiChecks(app));

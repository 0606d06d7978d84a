import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { deploymentTagsFromContext } from '../lib/deployment-tags.js';
import { addEnvelopeStage } from '../lib/envelope-app.js';
import { EnvelopeApiChecks } from '../lib/rules/envelope-api-checks.js';

/** The CDK app: `npx cdk deploy --all -c stage=prod -c tags='{"team":"platform"}'`. */
const app = new App();
const stage = (app.node.tryGetContext('stage') as string | undefined) ?? process.env.ENVELOPE_STAGE ?? 'dev';
addEnvelopeStage(app, stage, {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  tags: deploymentTagsFromContext(app.node.tryGetContext('tags')),
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new EnvelopeApiChecks(app));

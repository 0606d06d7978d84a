import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { EnvelopeApiStack } from '../lib/envelope-api-stack.js';
import { EnvelopeKeyStack } from '../lib/envelope-key-stack.js';

/** The CDK app: `npx cdk deploy --all -c stage=prod`. */
const app = new App();
const stage = (app.node.tryGetContext('stage') as string | undefined) ?? process.env.ENVELOPE_STAGE ?? 'dev';
if (!/^[a-z0-9-]{1,20}$/.test(stage)) throw new Error(`stage must match ^[a-z0-9-]{1,20}$, not ${stage}.`);
const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };

const keyStack = new EnvelopeKeyStack(app, `EnvelopeKey-${stage}`, { stage, env, description: `Envelope API (${stage}): master key` });
new EnvelopeApiStack(app, `EnvelopeApi-${stage}`, { stage, env, masterKey: keyStack.masterKey, description: `Envelope API (${stage}): table, functions and REST API` });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

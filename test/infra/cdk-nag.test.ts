import { App, CfnCondition, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { AwsSolutionsChecks, type NagPack } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { MasterKey } from '../../lib/constructs/master-key.js';
import { EnvelopeApiChecks } from '../../lib/rules/envelope-api-checks.js';
import { synthesizeApp } from './synthesize.js';

/** cdk-nag 3 reports through policy validation, so the report is what the tests read. */
const violationsOf = (scope: App | Stack, pack: NagPack = new AwsSolutionsChecks()) => pack.validateScope(scope).violations;

/** The packs `bin/envelope-api.ts` applies. */
const PACKS: [string, () => NagPack][] = [
  ['AwsSolutions', () => new AwsSolutionsChecks()],
  ['EnvelopeApi', () => new EnvelopeApiChecks()],
];

describe('the app under every pack it is deployed with', () => {
  let app: App;
  beforeAll(() => {
    ({ app } = synthesizeApp());
  });

  it.each(PACKS)('%s finds nothing unacknowledged', (_name, pack) => {
    const violations = violationsOf(app, pack());
    expect(violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });
});

describe('cdk-nag AwsSolutions checks', () => {
  it('report a non-compliant resource until it is acknowledged', () => {
    const app = new App();
    const stack = new Stack(app, 'NonCompliant');
    const table = new dynamodb.Table(stack, 'NoBackups', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    expect(violationsOf(app).map((v) => v.ruleName)).toContain('AwsSolutions-DDB3');

    Validations.of(table).acknowledge({ id: 'AwsSolutions-DDB3', reason: 'Scratch table in a test: nothing to recover.' });
    expect(violationsOf(app).map((v) => v.ruleName)).not.toContain('AwsSolutions-DDB3');
  });

  it('report the parameter-driven rotation of a master key (KMS5) until it is acknowledged', () => {
    const app = new App();
    const stack = new Stack(app, 'BareKey');
    const master = new MasterKey(stack, 'Key', {
      alias: 'alias/bare',
      description: 'bare',
      pendingWindowInDays: 30,
      rotationPeriodInDays: 365,
      rotationEnabled: new CfnCondition(stack, 'On', { expression: Fn.conditionEquals('true', 'true') }),
      administrators: new iam.AccountRootPrincipal(),
      users: [],
    });
    expect(violationsOf(app).map((v) => v.ruleName)).toContain('AwsSolutions-KMS5');
    Validations.of(master.key).acknowledge({ id: 'AwsSolutions-KMS5', reason: 'Rotation is a deploy-time parameter.' });
    expect(violationsOf(app).map((v) => v.ruleName)).not.toContain('AwsSolutions-KMS5');
  });
});

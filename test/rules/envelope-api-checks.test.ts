import { App, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { EnvelopeApiChecks } from '../../lib/rules/envelope-api-checks.js';
import * as rules from '../../lib/rules/index.js';

function roleWithWildcard(app: App): iam.Role {
  const role = new iam.Role(new Stack(app, 'Test'), 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  role.addToPolicy(
    new iam.PolicyStatement({ actions: ['kms:Decrypt*'], resources: ['*'], conditions: { StringEquals: { 'kms:EncryptionContext:tenant': 'a' } } }),
  );
  return role;
}

describe('EnvelopeApiChecks', () => {
  it('names its rules EnvelopeApi-<id> and each rule function after its file', () => {
    expect(new EnvelopeApiChecks().ruleIds).toEqual([
      'EnvelopeApi-KMS1',
      'EnvelopeApi-KMS2',
      'EnvelopeApi-IAM1',
      'EnvelopeApi-DDB1',
      'EnvelopeApi-DDB2',
      'EnvelopeApi-APIG1',
      'EnvelopeApi-APIG2',
      'EnvelopeApi-APIG3',
      'EnvelopeApi-APIG4',
      'EnvelopeApi-KMS3',
      'EnvelopeApi-CFN1',
    ]);
    for (const [name, rule] of Object.entries(rules)) expect(rule.name).toBe(name);
  });

  it('says why a rule fires, and why it exists when verbose', () => {
    const app = new App();
    roleWithWildcard(app);
    const [brief] = new EnvelopeApiChecks().validateScope(app).violations;
    const [verbose] = new EnvelopeApiChecks(undefined, { verbose: true }).validateScope(app).violations;
    expect(brief).toMatchObject({ ruleName: 'EnvelopeApi-KMS1[Action::kms:Decrypt*]', severity: 'error' });
    expect(brief!.description).toMatch(/grants a wildcard KMS action/);
    expect(verbose!.description).toMatch(/^The IAM policy grants a wildcard KMS action.+A wildcard grants actions nobody reviewed/);
  });

  it('takes acknowledgements per finding', () => {
    const app = new App();
    const role = roleWithWildcard(app);
    Validations.of(role).acknowledge({ id: 'EnvelopeApi-KMS1[Action::kms:Decrypt*]', reason: 'A test of acknowledgements.' });
    expect(new EnvelopeApiChecks().validateScope(app).violations).toEqual([]);
  });

  it('fails synthesis as a validation plugin until the app is compliant', () => {
    const failing = new App();
    Validations.of(failing).addPlugins(new EnvelopeApiChecks(failing));
    roleWithWildcard(failing);
    expect(() => failing.synth()).toThrow(/EnvelopeApi-KMS1\[Action::kms:Decrypt\*\]/);

    const passing = new App();
    Validations.of(passing).addPlugins(new EnvelopeApiChecks(passing));
    new iam.Role(new Stack(passing, 'Test'), 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    expect(() => passing.synth()).not.toThrow();
  });
});

import { CfnParameter } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import { AUDIT_QUERIES, AuditTrail } from '../../../lib/constructs/audit-trail.js';
import type { AuditRecord } from '../../../lambdas/domain/audit-record.js';
import { actionsOf, identityStatements } from '../template-access.js';
import { emptyStack } from './stacks.js';

function auditTrail() {
  const stack = emptyStack();
  const retention = new CfnParameter(stack, 'AuditRetentionInDays', { type: 'Number', default: 3653 });
  const key = new kms.Key(stack, 'Storage');
  const trail = new AuditTrail(stack, 'Audit', {
    logGroupName: '/envelope-api-test/audit',
    retentionInDays: retention.valueAsNumber,
    encryptionKey: key,
    secretName: 'envelope-api-test/audit-key',
    queryFolder: 'envelope-api-test/audit',
  });
  return { stack, trail, keyRef: stack.resolve(key.keyArn) as unknown };
}

describe('AuditTrail', () => {
  it('keeps records in a named log group, retained, with retention from the parameter, encrypted with the key', () => {
    const { stack, keyRef } = auditTrail();
    Template.fromStack(stack).hasResource('AWS::Logs::LogGroup', {
      Properties: { LogGroupName: '/envelope-api-test/audit', RetentionInDays: { Ref: 'AuditRetentionInDays' }, KmsKeyId: keyRef },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('generates the audit key as a retained secret under the same key, without touching that key policy', () => {
    const { stack, keyRef } = auditTrail();
    const template = Template.fromStack(stack);
    template.hasResource('AWS::SecretsManager::Secret', {
      Properties: Match.objectLike({
        Name: 'envelope-api-test/audit-key',
        KmsKeyId: keyRef,
        GenerateSecretString: Match.objectLike({ PasswordLength: 64, ExcludePunctuation: true }),
      }),
      DeletionPolicy: 'Retain',
    });
    const keyPolicy = JSON.stringify(Object.values(template.findResources('AWS::KMS::Key'))[0]!.Properties.KeyPolicy);
    expect(keyPolicy).not.toContain('secretsmanager');
  });

  it('saves four Logs Insights queries over the log group, on fields the audit record has', () => {
    const { stack } = auditTrail();
    const queries = Object.values(Template.fromStack(stack).findResources('AWS::Logs::QueryDefinition')).map((q) => q.Properties);
    expect(queries.map((q) => q.Name).sort()).toEqual(
      Object.keys(AUDIT_QUERIES)
        .map((name) => `envelope-api-test/audit/${name}`)
        .sort(),
    );
    const fields: (keyof AuditRecord)[] = [
      'caller',
      'operation',
      'outcome',
      'category',
      'keyIds',
      'keyVersions',
      'sourceIp',
      'userAgent',
      'change',
      'batch',
      'route',
      'status',
    ];
    for (const query of queries) {
      expect(query.LogGroupNames).toEqual(['/envelope-api-test/audit']);
      const named = [...(query.QueryString as string).matchAll(/\b([a-zA-Z]+)(?:\.[\w.]+)?\b(?= *(=|,|\n|$))/g)].map((m) => m[1]!);
      for (const field of named.filter((n) => !['fields', 'filter', 'sort', 'desc', 'and', 'or', 'like', 'timestamp'].includes(n))) {
        expect(fields).toContain(field);
      }
    }
    const byName = Object.fromEntries(queries.map((q) => [String(q.Name).split('/').pop(), q.QueryString as string]));
    expect(byName['who-used-a-key']).toContain('category = "use"');
    expect(byName['what-a-principal-did']).toContain('filter caller =');
    expect(byName['all-denials']).toContain('AccessDenied');
    expect(byName['all-admin-changes']).toContain('category = "change"');
  });

  it('grants writing records and reading the key, and nothing else', () => {
    const { stack, trail } = auditTrail();
    const role = new iam.Role(stack, 'Fn', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    trail.grantWrite(role);
    trail.grantReadKey(role);
    const statements = identityStatements(Template.fromStack(stack));
    expect(statements.flatMap(actionsOf).sort()).toEqual([
      'kms:Decrypt',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'secretsmanager:GetSecretValue',
    ]);
    const secretRef = stack.resolve(trail.auditKey.secretArn);
    expect(statements.find((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'))!.Resource).toEqual(secretRef);
    expect(statements.find((s) => actionsOf(s).includes('kms:Decrypt'))!.Condition).toEqual({
      StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com', 'kms:EncryptionContext:SecretARN': secretRef },
    });
    expect(statements.find((s) => actionsOf(s).includes('logs:PutLogEvents'))!.Resource).toEqual(stack.resolve(trail.logGroup.logGroupArn));
  });

  it("lets a grantee list the log group's streams, on that log group only, and nothing more", () => {
    const { stack, trail } = auditTrail();
    const role = new iam.Role(stack, 'Operator', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    trail.grantListStreams(role);
    const statements = identityStatements(Template.fromStack(stack));
    expect(statements.flatMap(actionsOf)).toEqual(['logs:DescribeLogStreams']);
    expect(statements[0]!.Resource).toEqual(stack.resolve(trail.logGroup.logGroupArn));
  });
});

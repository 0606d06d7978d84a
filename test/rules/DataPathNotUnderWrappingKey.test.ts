import { App, Aws, CfnOutput, Fn, Stack, Tags } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { NagRuleCompliance } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { DataPathNotUnderWrappingKey } from '../../lib/rules/index.js';
import { findingsOf } from './findings.js';

const RULE = 'EnvelopeApi-KMS3';
const partitionKey = { name: 'pk', type: dynamodb.AttributeType.STRING };

/** A KMS key tagged with a role, as lib/constructs/master-key.ts tags the master key. */
function taggedKey(stack: Stack, id = 'Key', role = 'master-key'): kms.Key {
  const key = new kms.Key(stack, id);
  Tags.of(key).add('envelope-api:role', role);
  return key;
}

const tableUnder = (stack: Stack, key: kms.IKey, id = 'Table') =>
  new dynamodb.Table(stack, id, { partitionKey, encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: key });

/** Paths of the resources the rule reports in an app, read both before and after synthesis. */
function reported(app: App): { before: string[]; after: string[] } {
  const read = () => findingsOf(app, RULE);
  const paths = () =>
    app.node
      .findAll()
      .filter(
        (c) =>
          c instanceof dynamodb.CfnTable ||
          c instanceof dynamodb.CfnGlobalTable ||
          c instanceof logs.CfnLogGroup ||
          c instanceof secretsmanager.CfnSecret,
      )
      .filter((c) => DataPathNotUnderWrappingKey(c as dynamodb.CfnTable) === NagRuleCompliance.NON_COMPLIANT)
      .map((c) => c.node.path)
      .sort();
  read();
  const before = paths();
  app.synth();
  read();
  return { before, after: paths() };
}

describe('DataPathNotUnderWrappingKey (EnvelopeApi-KMS3)', () => {
  it('reports a table, log group and secret under a wrapping key of their own stack, before and after synthesis', () => {
    const app = new App();
    const stack = new Stack(app, 'Stack');
    const key = taggedKey(stack);
    tableUnder(stack, key);
    new logs.LogGroup(stack, 'Logs', { encryptionKey: key });
    new secretsmanager.Secret(stack, 'Secret', { encryptionKey: key });
    const expected = ['Stack/Logs/Resource', 'Stack/Secret/Resource', 'Stack/Table/Resource'];
    expect(reported(app)).toEqual({ before: expected, after: expected });
    expect(findingsOf(app, RULE)).toEqual([RULE]);
  });

  it('reports a wrapping key of another stack, passed as a reference (Fn::ImportValue once synthesized) or by export name', () => {
    const app = new App();
    const keyStack = new Stack(app, 'Keys');
    const key = taggedKey(keyStack);
    new CfnOutput(keyStack, 'MasterKeyArn', { value: key.keyArn, exportName: 'MasterKeyArn' });
    const dataStack = new Stack(app, 'Data');
    tableUnder(dataStack, key);
    new logs.CfnLogGroup(dataStack, 'Imported', { kmsKeyId: Fn.importValue('MasterKeyArn') });
    const expected = ['Data/Imported', 'Data/Table/Resource'];
    expect(reported(app)).toEqual({ before: expected, after: expected });
    const table = dataStack.node.findChild('Table').node.defaultChild as dynamodb.CfnTable;
    expect(JSON.stringify(dataStack.resolve(table.sseSpecification))).toMatch(/"Fn::ImportValue":"Keys:ExportsOutputFnGetAttKey/);
  });

  it('reports a wrapping key named by alias, its ARN or an alias reference, and a global table replica under one', () => {
    const app = new App();
    const keyStack = new Stack(app, 'Keys');
    const key = taggedKey(keyStack);
    const alias = key.addAlias('alias/envelope-dev');
    const data = new Stack(app, 'Data');
    tableUnder(data, kms.Alias.fromAliasName(data, 'Alias', 'alias/envelope-dev'), 'ByName');
    new secretsmanager.CfnSecret(data, 'ByAliasArn', { kmsKeyId: `arn:${Aws.PARTITION}:kms:${Aws.REGION}:${Aws.ACCOUNT_ID}:alias/envelope-dev` });
    new dynamodb.CfnTable(keyStack, 'ByAliasRef', {
      billingMode: 'PAY_PER_REQUEST',
      keySchema: [{ attributeName: 'pk', keyType: 'HASH' }],
      attributeDefinitions: [{ attributeName: 'pk', attributeType: 'S' }],
      sseSpecification: { sseEnabled: true, sseType: 'KMS', kmsMasterKeyId: (alias.node.defaultChild as kms.CfnAlias).ref },
    });
    new dynamodb.CfnGlobalTable(data, 'Global', {
      keySchema: [{ attributeName: 'pk', keyType: 'HASH' }],
      attributeDefinitions: [{ attributeName: 'pk', attributeType: 'S' }],
      sseSpecification: { sseEnabled: true, sseType: 'KMS' },
      replicas: [{ region: 'us-east-1', sseSpecification: { kmsMasterKeyId: key.keyArn } }, { region: 'eu-west-1' }],
    });
    const expected = ['Data/ByAliasArn', 'Data/ByName/Resource', 'Data/Global', 'Keys/ByAliasRef'];
    expect(reported(app)).toEqual({ before: expected, after: expected });
  });

  it('knows a wrapping key tagged on the L1 itself', () => {
    const app = new App();
    const stack = new Stack(app, 'Stack');
    const key = new kms.CfnKey(stack, 'Key', { tags: [{ key: 'envelope-api:role', value: 'master-key' }] });
    new logs.CfnLogGroup(stack, 'Logs', { kmsKeyId: key.attrArn });
    expect(reported(app)).toEqual({ before: ['Stack/Logs'], after: ['Stack/Logs'] });
  });

  it("accepts other keys, including a storage key and one whose logical id matches another stack's wrapping key", () => {
    const app = new App();
    const keyStack = new Stack(app, 'Keys');
    const wrapping = taggedKey(keyStack, 'Key');
    const data = new Stack(app, 'Data');
    const other = new kms.Key(data, 'Key');
    const logicalId = (key: kms.Key) => Stack.of(key).resolve((key.node.defaultChild as kms.CfnKey).logicalId) as string;
    expect(logicalId(other)).toBe(logicalId(wrapping));
    tableUnder(data, other, 'SameLogicalId');
    tableUnder(data, taggedKey(data, 'StorageKey', 'storage-key'), 'Storage');
    new logs.LogGroup(data, 'Logs', {
      encryptionKey: kms.Key.fromKeyArn(data, 'Imported', 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'),
    });
    new secretsmanager.Secret(data, 'Secret');
    tableUnder(data, kms.Alias.fromAliasName(data, 'StorageAlias', 'alias/envelope-dev-storage'), 'OtherAlias');
    expect(reported(app)).toEqual({ before: [], after: [] });
    expect(findingsOf(app, RULE)).toEqual([]);
  });

  it('applies to tables, global tables, log groups and secrets only, whether or not they name a key', () => {
    const stack = new Stack(new App(), 'Stack');
    const table = new dynamodb.Table(stack, 'Table', { partitionKey });
    expect(DataPathNotUnderWrappingKey(table.node.defaultChild as dynamodb.CfnTable)).toBe(NagRuleCompliance.COMPLIANT);
    const logGroup = new logs.LogGroup(stack, 'Logs');
    expect(DataPathNotUnderWrappingKey(logGroup.node.defaultChild as logs.CfnLogGroup)).toBe(NagRuleCompliance.COMPLIANT);
    const key = taggedKey(stack);
    expect(DataPathNotUnderWrappingKey(key.node.defaultChild as kms.CfnKey)).toBe(NagRuleCompliance.NOT_APPLICABLE);
    const alias = key.addAlias('alias/x');
    expect(DataPathNotUnderWrappingKey(alias.node.defaultChild as kms.CfnAlias)).toBe(NagRuleCompliance.NOT_APPLICABLE);
  });
});

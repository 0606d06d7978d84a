import { App, type CfnElement, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES, type ApiRoute, HEALTH_PROBE_ITEM, KMS_CONTEXT_KEYS } from '../../contract/index.js';
import { addEnvelopeStage } from '../../lib/envelope-app.js';
import { type SynthesisOptions, type SynthesizedApp, synthesizeApp } from './synthesize.js';
import {
  actionsOf,
  identityStatements,
  intrinsicArguments,
  keyPolicyStatements,
  PUSH_TO_CLOUDWATCH_LOGS_ACTIONS,
  resourcesOf,
  restApiPolicyStatements,
  spelledOut,
} from './template-access.js';

/** The region synthesizeApp deploys to. */
const REGION = 'us-east-1';

let synthesized: SynthesizedApp;
let assembly: CloudAssembly;
let key: Template;
let data: Template;
let api: Template;
let account: Template;
/** Logical ids, each in its own stack's template. */
let ids: { masterKey: string; storageKey: string; table: string; auditLogGroup: string; auditKey: string };

const logicalId = (stack: Stack, construct: IConstruct) => stack.getLogicalId(construct.node.defaultChild as CfnElement);

beforeAll(() => {
  synthesized = synthesizeApp();
  const { keyStack, dataStack, apiStack, accountStack } = synthesized;
  assembly = synthesized.app.synth();
  key = Template.fromStack(keyStack);
  data = Template.fromStack(dataStack);
  api = Template.fromStack(apiStack);
  account = Template.fromStack(accountStack!);
  ids = {
    masterKey: logicalId(keyStack, keyStack.masterKey.key),
    storageKey: logicalId(dataStack, dataStack.storageKey.key),
    table: logicalId(dataStack, dataStack.table.table),
    auditLogGroup: logicalId(dataStack, dataStack.auditTrail.logGroup),
    auditKey: logicalId(dataStack, dataStack.auditTrail.auditKey),
  };
});

const actions = actionsOf;
const templates = () => ({ key, data, api, account });
/** The stacks a stack of the assembly waits for (its asset uploads aside). */
const dependenciesOf = (cloudAssembly: CloudAssembly, stackName: string) =>
  cloudAssembly
    .getStackByName(stackName)
    .dependencies.map((dependency) => dependency.id)
    .filter((id) => !id.endsWith('.assets'))
    .sort();
const ACCOUNT_ROOT = { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] } };
const storageKeyArn = () => ({ 'Fn::GetAtt': [ids.storageKey, 'Arn'] });
const CONTEXT_CONDITIONS = {
  'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': Object.values(KMS_CONTEXT_KEYS) },
  Null: Object.fromEntries(Object.values(KMS_CONTEXT_KEYS).map((name) => [`kms:EncryptionContext:${name}`, 'false'])),
};

/** The API stack's template of another synthesis, templates only (no bundling). */
const otherApiTemplate = (options: SynthesisOptions = {}) => Template.fromStack(synthesizeApp('test', { bundling: false, ...options }).apiStack);

describe('stacks of a stage', () => {
  it('are the key and data stacks, which depend on no other stack, and the API stack, deployed after them', () => {
    expect(assembly.stacks.map((stack) => stack.stackName).sort()).toEqual([
      'EnvelopeAccount',
      'EnvelopeApi-test',
      'EnvelopeData-test',
      'EnvelopeKey-test',
    ]);
    expect(dependenciesOf(assembly, 'EnvelopeKey-test')).toEqual([]);
    expect(dependenciesOf(assembly, 'EnvelopeData-test')).toEqual([]);
    expect(dependenciesOf(assembly, 'EnvelopeApi-test')).toEqual(['EnvelopeAccount', 'EnvelopeData-test', 'EnvelopeKey-test']);
  });

  it('protect the key and data stacks from termination, and not the stateless API stack', () => {
    expect(assembly.getStackByName('EnvelopeKey-test').terminationProtection).toBe(true);
    expect(assembly.getStackByName('EnvelopeData-test').terminationProtection).toBe(true);
    expect(assembly.getStackByName('EnvelopeApi-test').terminationProtection).toBeFalsy();
  });

  it('retain every KMS key, table, secret and log group of the key and data stacks', () => {
    const stateful = ['AWS::KMS::Key', 'AWS::DynamoDB::Table', 'AWS::SecretsManager::Secret', 'AWS::Logs::LogGroup'];
    const retained = (template: Template) =>
      Object.values(template.toJSON().Resources as Record<string, { Type: string; DeletionPolicy?: string; UpdateReplacePolicy?: string }>)
        .filter(({ Type }) => stateful.includes(Type))
        .map(({ Type, DeletionPolicy, UpdateReplacePolicy }) => [Type, DeletionPolicy, UpdateReplacePolicy]);
    expect(retained(key)).toEqual([['AWS::KMS::Key', 'Retain', 'Retain']]);
    expect(retained(data).sort()).toEqual([
      ['AWS::DynamoDB::Table', 'Retain', 'Retain'],
      ['AWS::KMS::Key', 'Retain', 'Retain'],
      ['AWS::Logs::LogGroup', 'Retain', 'Retain'],
      ['AWS::SecretsManager::Secret', 'Retain', 'Retain'],
    ]);
  });

  it('keep nothing stateful in the API stack: it imports the table, the audit trail and both keys from the data and key stacks', () => {
    api.resourceCountIs('AWS::DynamoDB::Table', 0);
    api.resourceCountIs('AWS::SecretsManager::Secret', 0);
    api.resourceCountIs('AWS::KMS::Alias', 0);
    expect(Object.values(api.findResources('AWS::Logs::LogGroup')).filter((group) => group.Properties.LogGroupName !== undefined)).toEqual([]);
    // Its one key encrypts alarm notifications in transit, and nothing stored.
    const { apiStack } = synthesized;
    expect(Object.keys(api.findResources('AWS::KMS::Key'))).toEqual([logicalId(apiStack, apiStack.alarms.topicKey)]);

    const imports = intrinsicArguments(api.toJSON().Resources, 'Fn::ImportValue') as string[];
    const exported = [data, key].flatMap((template) =>
      Object.values(template.toJSON().Outputs as Record<string, { Export?: { Name: string } }>).flatMap((output) => output.Export?.Name ?? []),
    );
    expect(imports.length).toBeGreaterThan(0);
    for (const name of imports) expect(exported).toContain(name);
    const importsOf = (stackName: string, id: string) => imports.filter((name) => name.startsWith(`${stackName}:`) && name.includes(id));
    for (const id of [ids.table, ids.auditLogGroup, ids.auditKey, ids.storageKey]) expect(importsOf('EnvelopeData-test', id), id).not.toEqual([]);
    expect(importsOf('EnvelopeKey-test', ids.masterKey)).not.toEqual([]);

    const keysFunction = logicalId(apiStack, apiStack.functions.keys.function);
    const environment = resourcesOf(api, 'AWS::Lambda::Function')[keysFunction]!.Environment!.Variables!;
    expect(spelledOut(environment.TABLE_NAME)).toMatch(new RegExp(`^\\$\\{Import:EnvelopeData-test:.*Ref${ids.table}`));
    expect(spelledOut(environment.MASTER_KEY_ARN)).toMatch(new RegExp(`^\\$\\{Import:EnvelopeKey-test:.*${ids.masterKey}Arn`));
  });

  it('output what operators look up: the master key, the table, the storage key and the audit log group', () => {
    expect(key.toJSON().Outputs.MasterKeyArn.Value).toEqual({ 'Fn::GetAtt': [ids.masterKey, 'Arn'] });
    expect(data.toJSON().Outputs).toMatchObject({
      DataKeyTableName: { Value: { Ref: ids.table } },
      StorageKeyArn: { Value: storageKeyArn() },
      AuditLogGroupName: { Value: '/envelope-api-test/audit' },
    });
  });
});

describe('master key', () => {
  const keyPolicy = () => keyPolicyStatements(key);

  it('is a symmetric CMK, retained on stack deletion, in a stack with termination protection', () => {
    key.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({
        KeySpec: 'SYMMETRIC_DEFAULT',
        KeyUsage: 'ENCRYPT_DECRYPT',
        Description: Match.stringLikeRegexp('Envelope API'),
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    key.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/envelope-api-test' });
    key.hasResourceProperties('AWS::KMS::Key', { Tags: Match.arrayWith([{ Key: 'envelope-api:role', Value: 'master-key' }]) });
    expect(synthesized.keyStack.terminationProtection).toBe(true);
  });

  it('turns rotation on and off with the EnableKeyRotation parameter, with the period only when on', () => {
    key.hasParameter('EnableKeyRotation', { Type: 'String', AllowedValues: ['true', 'false'], Default: 'true' });
    key.hasParameter('RotationPeriodInDays', { Type: 'Number', MinValue: 90, MaxValue: 2560, Default: 365 });
    key.hasCondition('RotationEnabled', { 'Fn::Equals': [{ Ref: 'EnableKeyRotation' }, 'true'] });
    key.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: { 'Fn::If': ['RotationEnabled', true, false] },
      RotationPeriodInDays: { 'Fn::If': ['RotationEnabled', { Ref: 'RotationPeriodInDays' }, { Ref: 'AWS::NoValue' }] },
      PendingWindowInDays: { Ref: 'PendingWindowInDays' },
    });
    key.hasParameter('PendingWindowInDays', { MinValue: 7, MaxValue: 30 });
  });

  it('takes its material from KMS or, with KeyMaterialOrigin=EXTERNAL, from an import, and refuses automatic rotation of imported material at deploy', () => {
    key.hasParameter('KeyMaterialOrigin', { Type: 'String', AllowedValues: ['AWS_KMS', 'EXTERNAL'], Default: 'AWS_KMS' });
    key.hasResourceProperties('AWS::KMS::Key', { Origin: { Ref: 'KeyMaterialOrigin' } });
    expect(key.toJSON().Rules).toMatchObject({
      ImportedKeyMaterialIsNotRotatedAutomatically: {
        RuleCondition: { 'Fn::Equals': [{ Ref: 'KeyMaterialOrigin' }, 'EXTERNAL'] },
        Assertions: [
          {
            Assert: { 'Fn::Equals': [{ Ref: 'EnableKeyRotation' }, 'false'] },
            AssertDescription: expect.stringContaining('EnableKeyRotation=false'),
          },
        ],
      },
    });
    const admins = keyPolicy().find((s) => s.Sid === 'KeyAdministrators')!;
    expect(actions(admins)).toEqual(expect.arrayContaining(['kms:GetParametersForImport', 'kms:ImportKeyMaterial', 'kms:DeleteImportedKeyMaterial']));
  });

  it('grants kms:* to the account root only', () => {
    const wildcard = keyPolicy().filter((s) => actions(s).some((a) => a.includes('*')));
    expect(wildcard.map((s) => s.Sid)).toEqual(['EnableIamPolicies']);
    expect(wildcard[0]!.Principal).toEqual(ACCOUNT_ROOT);
  });

  it('lets administrators manage the key but not use it', () => {
    const admins = keyPolicy().find((s) => s.Sid === 'KeyAdministrators')!;
    expect(admins.Principal).toEqual({ AWS: { Ref: 'KeyAdminPrincipalArns' } });
    expect(actions(admins)).toEqual(
      expect.arrayContaining([
        'kms:EnableKey',
        'kms:DisableKey',
        'kms:ScheduleKeyDeletion',
        'kms:CancelKeyDeletion',
        'kms:EnableKeyRotation',
        'kms:PutKeyPolicy',
        'kms:TagResource',
      ]),
    );
    for (const crypto of [
      'kms:Encrypt',
      'kms:Decrypt',
      'kms:ReEncryptFrom',
      'kms:ReEncryptTo',
      'kms:GenerateDataKey',
      'kms:GenerateDataKeyWithoutPlaintext',
      'kms:CreateGrant',
    ]) {
      expect(actions(admins)).not.toContain(crypto);
    }
  });

  it('gives each function role, named with the stage and the region, exactly its KMS actions, bound to the encryption-context keys', () => {
    const byRole = Object.fromEntries(
      keyPolicy()
        .filter((s) => s.Sid?.startsWith('ApplicationRole'))
        .map((s) => [spelledOut(s.Condition!.ArnEquals!['aws:PrincipalArn']).split(':role/')[1], s]),
    );
    const role = (fn: string) => `envelope-api-test-${REGION}-${fn}`;
    expect(Object.keys(byRole).sort()).toEqual([role('crypto'), role('keys'), role('master-key')]);
    expect(actions(byRole[role('keys')]!)).toEqual(['kms:GenerateDataKeyWithoutPlaintext']);
    expect(actions(byRole[role('crypto')]!)).toEqual(['kms:Decrypt']);
    expect(actions(byRole[role('master-key')]!).sort()).toEqual(['kms:DescribeKey', 'kms:GetKeyRotationStatus']);
    for (const name of [role('keys'), role('crypto')]) expect(byRole[name]!.Condition).toMatchObject(CONTEXT_CONDITIONS);
    expect(Object.keys(byRole[role('master-key')]!.Condition!)).toEqual(['ArnEquals']);
  });

  it('wraps data keys and nothing else: no statement lets DynamoDB, CloudWatch Logs or Secrets Manager use it', () => {
    expect(keyPolicy().map((s) => s.Sid)).toEqual([
      'EnableIamPolicies',
      'KeyAdministrators',
      'ApplicationRole0',
      'ApplicationRole1',
      'ApplicationRole2',
    ]);
    for (const statement of keyPolicy()) {
      expect(JSON.stringify(statement.Principal), statement.Sid).not.toContain('Service');
      expect(JSON.stringify(statement.Condition ?? {}), statement.Sid).not.toMatch(/kms:ViaService|kms:CallerAccount|aws:logs:arn/);
    }
    expect(JSON.stringify(keyPolicy())).not.toMatch(/dynamodb|logs\.|secretsmanager/);
  });

  it('encrypts no table, log group or secret of any stack, by reference, import or alias', () => {
    const storing = ['AWS::DynamoDB::Table', 'AWS::Logs::LogGroup', 'AWS::SecretsManager::Secret'];
    let checked = 0;
    for (const [stackName, template] of Object.entries(templates())) {
      for (const type of storing) {
        for (const [id, resource] of Object.entries(template.findResources(type))) {
          const properties = JSON.stringify(resource.Properties);
          expect(properties, `${stackName} ${id}`).not.toContain(ids.masterKey);
          expect(properties, `${stackName} ${id}`).not.toContain('EnvelopeKey-test');
          expect(properties, `${stackName} ${id}`).not.toContain('"alias/envelope-api-test"');
          checked += 1;
        }
      }
    }
    // The data stack's table, audit log group and secret, and the API stack's five log groups.
    expect(checked).toBe(8);
  });
});

describe('storage key', () => {
  const storagePolicy = () => keyPolicyStatements(data);
  const statement = (sid: string) => {
    const found = storagePolicy().find((s) => s.Sid === sid);
    expect(found, sid).toBeDefined();
    return found!;
  };

  it('is a retained key, rotated by KMS, with an alias and a role tag of its own', () => {
    data.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({ EnableKeyRotation: true, Tags: Match.arrayWith([{ Key: 'envelope-api:role', Value: 'storage-key' }]) }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    data.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/envelope-api-test-storage', TargetKeyId: storageKeyArn() });
    expect(synthesized.dataStack.terminationProtection).toBe(true);
  });

  it('encrypts the data-key table, the audit log group and the audit key secret', () => {
    data.hasResourceProperties('AWS::DynamoDB::Table', { SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: storageKeyArn() } });
    data.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/envelope-api-test/audit', KmsKeyId: storageKeyArn() });
    data.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'envelope-api-test/audit-key', KmsKeyId: storageKeyArn() });
  });

  it('has four statements, and grants kms:* to the account root only', () => {
    expect(storagePolicy().map((s) => s.Sid)).toEqual([
      'EnableIamPolicies',
      'TableEncryptionThroughDynamoDB',
      'SecretEncryptionThroughSecretsManager',
      'LogGroupEncryptionThroughCloudWatchLogs',
    ]);
    const wildcard = storagePolicy().filter((s) => actions(s).some((a) => a.includes('*')));
    expect(wildcard.map((s) => [s.Sid, s.Principal])).toEqual([['EnableIamPolicies', ACCOUNT_ROOT]]);
  });

  it.each([
    ['TableEncryptionThroughDynamoDB', 'dynamodb'],
    ['SecretEncryptionThroughSecretsManager', 'secretsmanager'],
  ])('%s lets the account use it only through %s, and only on behalf of this account', (sid, service) => {
    const found = statement(sid);
    expect(found.Principal).toEqual(ACCOUNT_ROOT);
    expect(found.Condition).toEqual({
      StringEquals: { 'kms:ViaService': `${service}.${REGION}.amazonaws.com`, 'kms:CallerAccount': { Ref: 'AWS::AccountId' } },
    });
    expect(actions(found)).toEqual(expect.arrayContaining(['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:CreateGrant']));
  });

  it("lets CloudWatch Logs use it for the audit log group alone, by the log group's ARN in the encryption context", () => {
    const found = statement('LogGroupEncryptionThroughCloudWatchLogs');
    expect(found.Principal).toEqual({ Service: `logs.${REGION}.amazonaws.com` });
    expect(actions(found)).not.toContain('kms:CreateGrant');
    expect(Object.keys(found.Condition!)).toEqual(['ArnEquals']);
    const arns = found.Condition!.ArnEquals!['kms:EncryptionContext:aws:logs:arn'] as unknown[];
    const logGroupName = (data.toJSON().Resources[ids.auditLogGroup] as { Properties: { LogGroupName: string } }).Properties.LogGroupName;
    expect(arns.map(spelledOut)).toEqual([`arn:\${AWS::Partition}:logs:${REGION}:\${AWS::AccountId}:log-group:${logGroupName}`]);
  });
});

describe('application roles', () => {
  const policyStatements = () => identityStatements(api);
  const roleNames = () => Object.values(resourcesOf(api, 'AWS::IAM::Role')).map((role) => role.RoleName);

  it('carry no wildcard KMS action anywhere', () => {
    const kmsActions = policyStatements()
      .flatMap(actions)
      .filter((a) => a.startsWith('kms:'));
    expect(kmsActions.length).toBeGreaterThan(0);
    expect(kmsActions.filter((a) => a.includes('*'))).toEqual([]);
  });

  it('reach the master key directly only with the encryption-context conditions (or for its metadata), and the storage key only through DynamoDB or Secrets Manager', () => {
    const seen = { contextBound: 0, metadata: 0, dynamodb: 0, secretsmanager: 0 };
    for (const statement of policyStatements().filter((s) => actions(s).some((a) => a.startsWith('kms:')))) {
      const resource = spelledOut(statement.Resource);
      if (resource.includes(ids.masterKey)) {
        expect(resource).toMatch(/^\$\{Import:EnvelopeKey-test:/);
        if (actions(statement).every((a) => ['kms:DescribeKey', 'kms:GetKeyRotationStatus'].includes(a))) {
          expect(statement.Condition).toBeUndefined();
          seen.metadata += 1;
        } else {
          expect(
            actions(statement).every((a) => ['kms:Decrypt', 'kms:GenerateDataKeyWithoutPlaintext'].includes(a)),
            resource,
          ).toBe(true);
          expect(statement.Condition).toEqual(CONTEXT_CONDITIONS);
          seen.contextBound += 1;
        }
      } else if (resource.includes(ids.storageKey)) {
        expect(resource).toMatch(/^\$\{Import:EnvelopeData-test:/);
        const viaService = statement.Condition?.StringEquals?.['kms:ViaService'];
        if (viaService === `secretsmanager.${REGION}.amazonaws.com`) {
          expect(actions(statement)).toEqual(['kms:Decrypt']);
          expect(spelledOut(statement.Condition!.StringEquals!['kms:EncryptionContext:SecretARN'])).toMatch(
            new RegExp(`^\\$\\{Import:EnvelopeData-test:.*Ref${ids.auditKey}`),
          );
          seen.secretsmanager += 1;
        } else {
          expect(statement.Condition).toEqual({ StringEquals: { 'kms:ViaService': `dynamodb.${REGION}.amazonaws.com` } });
          seen.dynamodb += 1;
        }
      } else {
        expect.fail(`a KMS statement on neither key: ${JSON.stringify(statement)}`);
      }
    }
    // keys and crypto (context-bound), masterKey (metadata); keys, crypto and masterKey (its probe read) through DynamoDB; the three audited functions through Secrets Manager.
    expect(seen).toEqual({ contextBound: 2, metadata: 1, dynamodb: 3, secretsmanager: 3 });
  });

  it('use no AWS managed policies', () => {
    for (const role of Object.values(resourcesOf(api, 'AWS::IAM::Role'))) {
      expect(role.ManagedPolicyArns).toBeUndefined();
    }
  });

  it('and the caller policies are named with the stage and the region, since IAM names are global to the account', () => {
    expect(roleNames().sort()).toEqual(['crypto', 'health', 'keys', 'master-key'].map((fn) => `envelope-api-test-${REGION}-${fn}`));
    const policyNames = Object.values(resourcesOf(api, 'AWS::IAM::ManagedPolicy')).map((policy) => policy.ManagedPolicyName);
    expect(policyNames.sort()).toEqual(['data-user', 'key-manager', 'operator'].map((name) => `envelope-api-test-${REGION}-${name}`));
  });

  it('are the roles the master key policy names', () => {
    const named = keyPolicyStatements(key)
      .filter((s) => s.Sid?.startsWith('ApplicationRole'))
      .map((s) => spelledOut(s.Condition!.ArnEquals!['aws:PrincipalArn']));
    const withKeyRights = roleNames().filter((name) => !String(name).endsWith('-health'));
    expect(named.sort()).toEqual(withKeyRights.map((name) => `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${name}`).sort());
  });

  it('take the region from the deployment in an environment-agnostic synth, in the API stack and the master key policy alike', () => {
    const { keyStack, apiStack } = synthesizeApp('agnostic', { env: undefined, bundling: false });
    const agnosticApi = Template.fromStack(apiStack);
    const names = [
      ...Object.values(resourcesOf(agnosticApi, 'AWS::IAM::Role')).map((role) => role.RoleName),
      ...Object.values(resourcesOf(agnosticApi, 'AWS::IAM::ManagedPolicy')).map((policy) => policy.ManagedPolicyName),
    ].map(spelledOut);
    expect(names).toHaveLength(7);
    for (const name of names) expect(name).toMatch(/^envelope-api-agnostic-\$\{AWS::Region\}-[a-z-]+$/);
    const keyPolicyArns = keyPolicyStatements(Template.fromStack(keyStack))
      .filter((s) => s.Sid?.startsWith('ApplicationRole'))
      .map((s) => spelledOut(s.Condition!.ArnEquals!['aws:PrincipalArn']));
    expect(keyPolicyArns).toHaveLength(3);
    for (const arn of keyPolicyArns) expect(names).toContain(arn.split(':role/')[1]);
  });
});

describe('data-key table', () => {
  it('is on-demand, under the storage key, with point-in-time recovery and deletion protection, retained, and named after the stage', () => {
    data.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({
        TableName: 'envelope-api-test-data-keys',
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: storageKeyArn() },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    data.resourceCountIs('AWS::DynamoDB::Table', 1);
  });
});

describe('functions', () => {
  it('run on nodejs24.x, arm64, with tracing, deliberate memory and timeouts, and ids-only environments', () => {
    const functions = Object.values(api.findResources('AWS::Lambda::Function'));
    expect(functions).toHaveLength(4);
    for (const { Properties: fn } of functions) {
      expect(fn).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' }, Handler: 'index.handler' });
      expect(fn.MemorySize).toBeGreaterThanOrEqual(128);
      expect(fn.Timeout).toBeLessThanOrEqual(29);
      const names = Object.keys(fn.Environment?.Variables ?? {});
      expect(
        names.every((n: string) =>
          [
            'POWERTOOLS_SERVICE_NAME',
            'NODE_OPTIONS',
            'TABLE_NAME',
            'MASTER_KEY_ARN',
            'ENVELOPE_CACHE_MAX_AGE_SECONDS',
            'ENVELOPE_AUDIT_LOG_GROUP',
            'ENVELOPE_AUDIT_KEY_SECRET_ARN',
          ].includes(n),
        ),
      ).toBe(true);
    }
  });

  it("give the master-key role, for the operators' check, a read of the probe item's partition alone and a listing of the audit streams", () => {
    const role = Object.entries(resourcesOf(api, 'AWS::IAM::Role')).find(([, r]) => r.RoleName === `envelope-api-test-${REGION}-master-key`)![0];
    const statements = identityStatements(api, role);
    const onTable = statements.filter((s) => actions(s).some((a) => a.startsWith('dynamodb:')));
    expect(onTable).toHaveLength(1);
    expect(actions(onTable[0]!)).toEqual(['dynamodb:GetItem']);
    expect(spelledOut(onTable[0]!.Resource)).toMatch(new RegExp(`^\\$\\{Import:EnvelopeData-test:.*${ids.table}`));
    expect(onTable[0]!.Condition).toEqual({
      'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [HEALTH_PROBE_ITEM.partitionKey] },
      Null: { 'dynamodb:LeadingKeys': 'false' },
    });
    const throughDynamoDb = statements.filter((s) => JSON.stringify(s.Condition ?? {}).includes(`dynamodb.${REGION}.amazonaws.com`));
    expect(throughDynamoDb.flatMap(actions).sort()).toEqual(['kms:Decrypt', 'kms:DescribeKey']);
    const onLogs = statements.filter((s) => actions(s).includes('logs:DescribeLogStreams'));
    expect(onLogs.flatMap(actions)).toEqual(['logs:DescribeLogStreams']);
    expect(spelledOut(onLogs[0]!.Resource)).toMatch(new RegExp(`^\\$\\{Import:EnvelopeData-test:.*${ids.auditLogGroup}`));
  });

  it("give the crypto role reads of the table, updates of a version's last-use hour only, and kms:Decrypt only: encrypting never writes nor makes keys", () => {
    const role = Object.entries(resourcesOf(api, 'AWS::IAM::Role')).find(([, r]) => r.RoleName === `envelope-api-test-${REGION}-crypto`)![0];
    const statements = identityStatements(api, role);
    const granted = statements.flatMap(actions);
    expect(granted.filter((a) => a.startsWith('dynamodb:'))).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    const update = statements.find((s) => actions(s).includes('dynamodb:UpdateItem'))!;
    expect(actions(update)).toEqual(['dynamodb:UpdateItem']);
    expect(update.Condition).toEqual({
      'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['pk', 'sk', 'lastUsedAt'] },
      Null: { 'dynamodb:Attributes': 'false' },
      StringEqualsIfExists: { 'dynamodb:ReturnValues': 'NONE' },
    });
    const kmsDirect = statements
      .filter((s) => !JSON.stringify(s.Condition ?? {}).includes('kms:ViaService'))
      .flatMap(actions)
      .filter((a) => a.startsWith('kms:'));
    expect(kmsDirect).toEqual(['kms:Decrypt']);
  });

  it('and the stage log to retained log groups of unfixed names, with the configured retention', () => {
    const groups = Object.values(api.findResources('AWS::Logs::LogGroup'));
    // One per function, and the stage's access logs.
    expect(groups).toHaveLength(5);
    for (const group of groups) {
      expect(group).toMatchObject({ DeletionPolicy: 'Retain', Properties: { RetentionInDays: { Ref: 'LogRetentionInDays' } } });
      expect(group.Properties.LogGroupName).toBeUndefined();
    }
  });
});

describe('REST API', () => {
  const publicMethods = () => API_ROUTES.filter((route) => !route.iamAuth).map((route) => `execute-api:/test/${route.method}${route.resource}`);

  it('requires IAM auth on every method but the health check, and validates requests', () => {
    const methods = Object.values(api.findResources('AWS::ApiGateway::Method')).map((m) => m.Properties);
    expect(methods).toHaveLength(API_ROUTES.length);
    const open = methods.filter((m) => m.AuthorizationType !== 'AWS_IAM');
    expect(open).toHaveLength(API_ROUTES.filter((route) => !route.iamAuth).length);
    for (const method of open) expect(method).toMatchObject({ HttpMethod: 'GET', AuthorizationType: 'NONE' });
    expect(methods.every((m) => m.RequestValidatorId)).toBe(true);
    const withModels = methods
      .filter((m) => m.RequestModels?.['application/json'])
      .map((m) => m.HttpMethod)
      .sort();
    expect(withModels).toEqual(
      (API_ROUTES as readonly ApiRoute[])
        .filter((route) => route.jsonBody)
        .map((route) => route.method)
        .sort(),
    );
  });

  it('answers its own errors (validation, auth, size, throttling) in the contract shape', () => {
    const responses = Object.values(resourcesOf(api, 'AWS::ApiGateway::GatewayResponse'));
    const byType = Object.fromEntries(responses.map((r) => [r.ResponseType, r]));
    expect(byType.BAD_REQUEST_BODY).toMatchObject({ StatusCode: '400' });
    expect(byType.THROTTLED).toMatchObject({ StatusCode: '429' });
    expect(byType.INVALID_SIGNATURE).toMatchObject({ StatusCode: '403' });
    expect(JSON.parse(byType.REQUEST_TOO_LARGE!.ResponseTemplates['application/json']!)).toMatchObject({ error: { code: 'PayloadTooLarge' } });
  });

  it("lets this account's principals, and anybody on the public routes alone, invoke it; nobody of another account by default", () => {
    expect(restApiPolicyStatements(api)).toEqual([
      { Sid: 'ThisAccount', Effect: 'Allow', Action: 'execute-api:Invoke', Principal: ACCOUNT_ROOT, Resource: 'execute-api:/*' },
      // API Gateway admits an unauthenticated method only on an explicit allow with "Principal": "*", never {"AWS": "*"}.
      { Sid: 'PublicRoutes', Effect: 'Allow', Action: 'execute-api:Invoke', Principal: '*', Resource: publicMethods() },
    ]);
  });

  it('fixes its resource policy at synth time: it refers to no parameter and no condition', () => {
    const policy = Object.values(resourcesOf(api, 'AWS::ApiGateway::RestApi'))[0]!.Policy;
    const refs = intrinsicArguments(policy, 'Ref');
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(ref).toMatch(/^AWS::/);
    expect(intrinsicArguments(policy, 'Fn::If')).toEqual([]);
    const parameters = Object.keys(api.toJSON().Parameters);
    expect(parameters).not.toContain('CallerPrincipalArns');
    for (const parameter of parameters) expect(refs).not.toContain(parameter);
  });

  describe('with callers of other accounts', () => {
    const CALLERS = ['arn:aws:iam::444455556666:role/partner', 'arn:aws:iam::777788889999:root'];
    const deploymentOf = (template: Template) => {
      const [deployment, ...others] = Object.keys(template.findResources('AWS::ApiGateway::Deployment'));
      expect(others).toEqual([]);
      template.hasResourceProperties('AWS::ApiGateway::Stage', { DeploymentId: { Ref: deployment } });
      return deployment!;
    };

    it('lets the listed principals invoke it, only as principals of another account', () => {
      expect(restApiPolicyStatements(otherApiTemplate({ crossAccountCallers: CALLERS }))).toEqual([
        expect.objectContaining({ Sid: 'ThisAccount' }),
        {
          Sid: 'OtherAccountCallers',
          Effect: 'Allow',
          Action: 'execute-api:Invoke',
          Principal: { AWS: CALLERS },
          Resource: 'execute-api:/*',
          Condition: { StringNotEquals: { 'aws:PrincipalAccount': { Ref: 'AWS::AccountId' } } },
        },
        expect.objectContaining({ Sid: 'PublicRoutes', Principal: '*' }),
      ]);
    });

    it('deploys the API again whenever the list changes, so that the stage enforces the new resource policy', () => {
      const none = deploymentOf(otherApiTemplate());
      const listed = deploymentOf(otherApiTemplate({ crossAccountCallers: CALLERS }));
      const fewer = deploymentOf(otherApiTemplate({ crossAccountCallers: CALLERS.slice(0, 1) }));
      expect(new Set([none, listed, fewer]).size).toBe(3);
      // The same list gives the same deployment: nothing is redeployed without a change.
      expect(deploymentOf(otherApiTemplate({ crossAccountCallers: [...CALLERS] }))).toBe(listed);
      expect(none).toBe(deploymentOf(api));
    });
  });

  it('throttles, traces and writes access logs on the stage', () => {
    api.hasResourceProperties('AWS::ApiGateway::Stage', {
      TracingEnabled: true,
      AccessLogSetting: Match.objectLike({ DestinationArn: Match.anyValue() }),
      MethodSettings: Match.arrayWith([
        Match.objectLike({ ThrottlingRateLimit: { Ref: 'ThrottlingRateLimit' }, ThrottlingBurstLimit: { Ref: 'ThrottlingBurstLimit' } }),
      ]),
    });
  });

  it('outputs the URL and three caller policies allowing execute-api:Invoke on exactly their methods', () => {
    for (const output of ['ApiUrl', 'DataUserPolicyArn', 'KeyManagerPolicyArn', 'OperatorPolicyArn']) {
      expect(Object.keys(api.findOutputs('*'))).toEqual(expect.arrayContaining([expect.stringContaining(output)]));
    }
    const policies = Object.values(api.findResources('AWS::IAM::ManagedPolicy')).map((p) => p.Properties);
    const resourcesOf = (name: string) => {
      const statement = policies.find((p) => p.ManagedPolicyName.endsWith(name))!.PolicyDocument.Statement[0];
      expect(statement.Action).toBe('execute-api:Invoke');
      return JSON.stringify(statement.Resource);
    };
    const dataUser = resourcesOf('data-user');
    expect(dataUser.match(/\/POST\/v1\/(encrypt|decrypt|rewrap)"/g)).toHaveLength(3);
    expect(dataUser).not.toContain('/v1/keys');
    const keyManager = resourcesOf('key-manager');
    expect(keyManager).toContain('/v1/keys');
    expect(keyManager).not.toMatch(/v1\/(encrypt|decrypt|rewrap)/);
    // Method ARNs match the request's actual path: a path parameter is a wildcard, never `{key}`.
    expect(keyManager).toContain('/GET/v1/keys/*"');
    expect(keyManager).toContain('/POST/v1/keys/*/rotate"');
    expect(keyManager).not.toMatch(/\{[a-z]+\}/);
    expect(resourcesOf('operator')).toMatch(/\/GET\/v1\/master-key"/);
  });
});

describe('audit trail', () => {
  it('keeps records for AuditRetentionInDays (default 3653), a parameter of the data stack, in the named, retained log group, under the storage key', () => {
    data.hasParameter('AuditRetentionInDays', { Type: 'Number', Default: '3653' });
    expect(Object.keys(api.toJSON().Parameters)).not.toContain('AuditRetentionInDays');
    data.hasResource('AWS::Logs::LogGroup', {
      Properties: { LogGroupName: '/envelope-api-test/audit', RetentionInDays: { Ref: 'AuditRetentionInDays' }, KmsKeyId: storageKeyArn() },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    expect(Object.keys(data.findResources('AWS::Logs::QueryDefinition'))).toHaveLength(4);
    data.hasResource('AWS::SecretsManager::Secret', {
      Properties: Match.objectLike({ Name: 'envelope-api-test/audit-key', KmsKeyId: storageKeyArn() }),
      DeletionPolicy: 'Retain',
    });
  });

  it('gives every function behind IAM auth the rights to write records and read the audit key, and the health function neither', () => {
    const roles = Object.entries(resourcesOf(api, 'AWS::IAM::Role'));
    expect(roles).toHaveLength(4);
    for (const [id, role] of roles) {
      const onAudit = identityStatements(api, id).filter((s) =>
        [ids.auditLogGroup, ids.auditKey].some((auditId) => (JSON.stringify(s.Resource) + JSON.stringify(s.Condition ?? {})).includes(auditId)),
      );
      const audited = !String(role.RoleName).endsWith('-health');
      // The operators' dependency check lists the audit log group's streams too.
      const checks = String(role.RoleName).endsWith('-master-key') ? ['logs:DescribeLogStreams'] : [];
      expect(onAudit.flatMap(actions).sort(), String(role.RoleName)).toEqual(
        audited ? ['kms:Decrypt', 'logs:CreateLogStream', ...checks, 'logs:PutLogEvents', 'secretsmanager:GetSecretValue'] : [],
      );
    }
  });
});

describe("API Gateway's CloudWatch role", () => {
  it('is set in the EnvelopeAccount stack, which the API stack depends on', () => {
    const { apiStack, accountStack } = synthesized;
    expect(accountStack?.stackName).toBe('EnvelopeAccount');
    expect(apiStack.dependencies).toContain(accountStack);
    expect(dependenciesOf(assembly, 'EnvelopeApi-test')).toContain('EnvelopeAccount');
    // The API stack leaves the account setting alone.
    api.resourceCountIs('AWS::ApiGateway::Account', 0);
  });

  it("is a retained role API Gateway assumes, with AmazonAPIGatewayPushToCloudWatchLogs' actions in this account and region only, and none on any stage's audit log group", () => {
    const roles = Object.entries(account.findResources('AWS::IAM::Role'));
    expect(roles).toHaveLength(1);
    const [roleId, role] = roles[0]!;
    expect(role).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'apigateway.amazonaws.com' } },
    ]);
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const statements = identityStatements(account, roleId);
    expect(statements.map((statement) => statement.Effect)).toEqual(['Allow', 'Deny']);
    const [allow, deny] = statements as [(typeof statements)[number], (typeof statements)[number]];
    expect(actions(allow).sort()).toEqual([...PUSH_TO_CLOUDWATCH_LOGS_ACTIONS].sort());
    expect(allow.Condition).toBeUndefined();
    expect(spelledOut(allow.Resource)).toBe(`arn:\${AWS::Partition}:logs:${REGION}:\${AWS::AccountId}:*`);
    expect(actions(deny)).toEqual(['logs:*']);
    const auditGroups = `arn:\${AWS::Partition}:logs:${REGION}:\${AWS::AccountId}:log-group:/envelope-api-*/audit`;
    expect((deny.Resource as unknown[]).map(spelledOut)).toEqual([auditGroups, `${auditGroups}:*`]);
  });

  it("names the role in the region's account settings, retained, once the role may write", () => {
    const [roleId] = Object.keys(account.findResources('AWS::IAM::Role'));
    const settings = Object.values(account.findResources('AWS::ApiGateway::Account'));
    expect(settings).toHaveLength(1);
    expect(settings[0]).toMatchObject({
      Properties: { CloudWatchRoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] } },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    const [policyId] = Object.keys(account.findResources('AWS::IAM::Policy'));
    expect(settings[0]!.DependsOn).toEqual(expect.arrayContaining([policyId]));
  });

  it("is left to the account with apiGatewayCloudWatchRole 'existing': no EnvelopeAccount stack, no dependency on one", () => {
    const existing = synthesizeApp('test', { apiGatewayCloudWatchRole: 'existing', bundling: false });
    expect(existing.accountStack).toBeUndefined();
    const existingAssembly = existing.app.synth();
    expect(existingAssembly.stacks.map((stack) => stack.stackName).sort()).toEqual(['EnvelopeApi-test', 'EnvelopeData-test', 'EnvelopeKey-test']);
    expect(dependenciesOf(existingAssembly, 'EnvelopeApi-test')).toEqual(['EnvelopeData-test', 'EnvelopeKey-test']);
    Template.fromStack(existing.apiStack).resourceCountIs('AWS::ApiGateway::Account', 0);
  });

  it('is one stack for all the stages of an app', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const dev = addEnvelopeStage(app, 'dev', { env: { region: REGION } });
    const prod = addEnvelopeStage(app, 'prod', { env: { region: REGION } });
    expect(prod.accountStack).toBe(dev.accountStack);
    const appAssembly = app.synth();
    expect(appAssembly.stacks.filter((stack) => stack.stackName === 'EnvelopeAccount')).toHaveLength(1);
    for (const stage of ['dev', 'prod']) expect(dependenciesOf(appAssembly, `EnvelopeApi-${stage}`)).toContain('EnvelopeAccount');
  });
});

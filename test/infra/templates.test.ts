import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES, type ApiRoute } from '../../contract/index.js';
import { synthesizeApp } from './synthesize.js';
import { actionsOf, identityStatements, keyPolicyStatements, resourcesOf } from './template-access.js';

let key: Template;
let api: Template;
let keyStackTerminationProtection: boolean;

beforeAll(() => {
  const { keyStack, apiStack } = synthesizeApp();
  key = Template.fromStack(keyStack);
  api = Template.fromStack(apiStack);
  keyStackTerminationProtection = keyStack.terminationProtection;
});

const actions = actionsOf;
const keyPolicy = () => keyPolicyStatements(key);

describe('master key', () => {
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
    expect(keyStackTerminationProtection).toBe(true);
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
    expect(JSON.stringify(wildcard[0]!.Principal)).toContain(':root');
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

  it('gives each function role exactly its KMS actions, bound to the encryption-context keys', () => {
    const byRole = Object.fromEntries(
      keyPolicy()
        .filter((s) => s.Sid?.startsWith('ApplicationRole'))
        .map((s) => [JSON.stringify(s.Condition!.ArnEquals!['aws:PrincipalArn']).match(/role\/([a-z-]+)/)![1], s]),
    );
    expect(Object.keys(byRole).sort()).toEqual(['envelope-api-test-crypto', 'envelope-api-test-keys', 'envelope-api-test-master-key']);
    expect(actions(byRole['envelope-api-test-keys']!)).toEqual(['kms:GenerateDataKeyWithoutPlaintext']);
    expect(actions(byRole['envelope-api-test-crypto']!)).toEqual(['kms:Decrypt']);
    expect(actions(byRole['envelope-api-test-master-key']!).sort()).toEqual(['kms:DescribeKey', 'kms:GetKeyRotationStatus']);
    for (const role of ['envelope-api-test-keys', 'envelope-api-test-crypto']) {
      expect(byRole[role]!.Condition).toMatchObject({
        'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['dataKeyId', 'dataKeyVersion'] },
        Null: { 'kms:EncryptionContext:dataKeyId': 'false', 'kms:EncryptionContext:dataKeyVersion': 'false' },
      });
    }
  });

  it('lets DynamoDB use the key for the table only through the DynamoDB service', () => {
    const viaDynamo = keyPolicy().find((s) => s.Sid === 'TableEncryptionThroughDynamoDB')!;
    expect(JSON.stringify(viaDynamo.Condition!.StringEquals!['kms:ViaService'])).toContain('dynamodb.');
    expect(viaDynamo.Condition!.StringEquals!['kms:CallerAccount']).toEqual({ Ref: 'AWS::AccountId' });
  });
});

describe('application roles', () => {
  const policyStatements = () => identityStatements(api);

  it('carry no wildcard KMS action anywhere', () => {
    const kmsActions = policyStatements()
      .flatMap(actions)
      .filter((a) => a.startsWith('kms:'));
    expect(kmsActions.length).toBeGreaterThan(0);
    expect(kmsActions.filter((a) => a.includes('*'))).toEqual([]);
  });

  it('reach KMS directly only with the encryption-context conditions, otherwise only via DynamoDB, or via Secrets Manager for the audit key', () => {
    for (const statement of policyStatements().filter((s) => actions(s).some((a) => a.startsWith('kms:')))) {
      const direct =
        actions(statement).some((a) => ['kms:Decrypt', 'kms:GenerateDataKeyWithoutPlaintext'].includes(a)) &&
        !statement.Condition?.StringEquals?.['kms:ViaService'];
      if (direct) expect(statement.Condition?.['ForAllValues:StringEquals']?.['kms:EncryptionContextKeys']).toEqual(['dataKeyId', 'dataKeyVersion']);
      else if (JSON.stringify(statement.Condition?.StringEquals?.['kms:ViaService'] ?? '').includes('secretsmanager.')) {
        expect(actions(statement)).toEqual(['kms:Decrypt']);
        expect(statement.Condition?.StringEquals?.['kms:EncryptionContext:SecretARN']).toEqual({ Ref: expect.stringMatching(/^AuditKey/) });
      } else if (!actions(statement).every((a) => ['kms:DescribeKey', 'kms:GetKeyRotationStatus'].includes(a))) {
        expect(JSON.stringify(statement.Condition?.StringEquals?.['kms:ViaService'])).toContain('dynamodb.');
      }
    }
  });

  it('use no AWS managed policies', () => {
    for (const role of Object.values(resourcesOf(api, 'AWS::IAM::Role'))) {
      expect(role.ManagedPolicyArns).toBeUndefined();
    }
  });
});

describe('data-key table', () => {
  it('is on-demand, CMK-encrypted, with point-in-time recovery and deletion protection, and retained', () => {
    api.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: Match.objectLike({ SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() }),
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      }),
      DeletionPolicy: 'Retain',
    });
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

  it('give the crypto role reads of the table and kms:Decrypt only: encrypting never writes nor makes keys', () => {
    const role = Object.entries(resourcesOf(api, 'AWS::IAM::Role')).find(([, r]) => r.RoleName === 'envelope-api-test-crypto')![0];
    const statements = identityStatements(api, role);
    const granted = statements.flatMap(actions);
    expect(granted.filter((a) => a.startsWith('dynamodb:'))).toEqual(['dynamodb:GetItem']);
    const kmsDirect = statements
      .filter((s) => !JSON.stringify(s.Condition ?? {}).includes('kms:ViaService'))
      .flatMap(actions)
      .filter((a) => a.startsWith('kms:'));
    expect(kmsDirect).toEqual(['kms:Decrypt']);
  });

  it('log to retained log groups with the configured retention (the audit log group has its own)', () => {
    const groups = Object.entries(api.findResources('AWS::Logs::LogGroup'));
    expect(groups.length).toBeGreaterThan(4);
    for (const [id, group] of groups) {
      expect(group.DeletionPolicy).toBe('Retain');
      expect(group.Properties.RetentionInDays).toEqual({ Ref: id.startsWith('AuditRecords') ? 'AuditRetentionInDays' : 'LogRetentionInDays' });
    }
  });
});

describe('REST API', () => {
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
    const responses = Object.values(api.findResources('AWS::ApiGateway::GatewayResponse')).map((r) => r.Properties);
    const byType = Object.fromEntries(responses.map((r) => [r.ResponseType, r]));
    expect(byType.BAD_REQUEST_BODY).toMatchObject({ StatusCode: '400' });
    expect(byType.THROTTLED).toMatchObject({ StatusCode: '429' });
    expect(byType.INVALID_SIGNATURE).toMatchObject({ StatusCode: '403' });
    expect(JSON.parse(byType.REQUEST_TOO_LARGE.ResponseTemplates['application/json'])).toMatchObject({ error: { code: 'PayloadTooLarge' } });
  });

  it('lets only the listed caller principals, or this account, invoke it, and anybody the public routes alone', () => {
    const publicMethods = API_ROUTES.filter((route) => !route.iamAuth).map((route) => `execute-api:/test/${route.method}${route.resource}`);
    api.hasParameter('CallerPrincipalArns', { Type: 'CommaDelimitedList', Default: '' });
    api.hasResourceProperties('AWS::ApiGateway::RestApi', {
      Policy: {
        Statement: [
          Match.objectLike({
            Sid: 'Callers',
            Action: 'execute-api:Invoke',
            Principal: { AWS: { 'Fn::If': ['CallerPrincipalsListed', { Ref: 'CallerPrincipalArns' }, [Match.anyValue()]] } },
            Resource: 'execute-api:/*',
          }),
          // API Gateway admits an unauthenticated method only on an explicit allow in the resource policy.
          { Sid: 'PublicRoutes', Effect: 'Allow', Action: 'execute-api:Invoke', Principal: { AWS: '*' }, Resource: publicMethods },
        ],
      },
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
    for (const output of ['ApiUrl', 'DataKeyTableName', 'DataUserPolicyArn', 'KeyManagerPolicyArn', 'OperatorPolicyArn']) {
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
  it('keeps records for AuditRetentionInDays (default 3653) in the named, retained log group, under the master key', () => {
    expect(api.toJSON().Parameters.AuditRetentionInDays).toMatchObject({ Type: 'Number', Default: '3653' });
    api.hasResource('AWS::Logs::LogGroup', {
      Properties: {
        LogGroupName: '/envelope-api-test/audit',
        RetentionInDays: { Ref: 'AuditRetentionInDays' },
        KmsKeyId: { 'Fn::ImportValue': Match.stringLikeRegexp('MasterKey') },
      },
      DeletionPolicy: 'Retain',
    });
    expect(Object.keys(api.findResources('AWS::Logs::QueryDefinition'))).toHaveLength(4);
    api.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'envelope-api-test/audit-key', KmsKeyId: Match.anyValue() });
  });

  it("lets CloudWatch Logs use the master key for the audit log group alone, by the log group's ARN in the encryption context", () => {
    const statement = keyPolicy().find((s) => s.Sid === 'LogGroupEncryptionThroughCloudWatchLogs')!;
    expect(JSON.stringify(statement.Principal)).toContain('logs.');
    expect(actions(statement)).not.toContain('kms:CreateGrant');
    const arns = statement.Condition?.ArnEquals?.['kms:EncryptionContext:aws:logs:arn'] as unknown[];
    expect(arns).toHaveLength(1);
    expect(JSON.stringify(arns[0])).toContain(':log-group:/envelope-api-test/audit');
  });

  it('gives every function behind IAM auth the rights to write records and read the audit key, and the health function neither', () => {
    const roles = Object.entries(resourcesOf(api, 'AWS::IAM::Role'));
    for (const [id, role] of roles.filter(([, r]) => String(r.RoleName ?? '').startsWith('envelope-api-test-'))) {
      const onAudit = identityStatements(api, id).filter((s) =>
        /AuditRecords|AuditKey/.test(JSON.stringify(s.Resource) + JSON.stringify(s.Condition ?? {})),
      );
      const audited = !String(role.RoleName).endsWith('-health');
      expect(onAudit.flatMap(actions).sort(), String(role.RoleName)).toEqual(
        audited ? ['kms:Decrypt', 'logs:CreateLogStream', 'logs:PutLogEvents', 'secretsmanager:GetSecretValue'] : [],
      );
    }
  });
});

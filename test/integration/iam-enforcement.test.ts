import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  BatchGetItemCommand,
  GetItemCommand,
  DynamoDBClient,
  DeleteItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES, HEALTH_PROBE_ITEM, type ApiFunctionName } from '../../contract/index.js';
import { functionRoleName } from '../../lib/naming.js';
import type { SynthesizedTemplates } from '../../local/iam/synthesized-templates.js';
import { LOCAL_STAGE, LOCAL_TABLE_NAME, MASTER_KEY_ALIAS, type LocalRuntime } from '../../local/runtime.js';
import { startInProcessRuntime } from '../support/in-process-runtime.js';
import { clientFor, failure, kmsClientFor, principal } from '../support/principals.js';
import { rejection } from '../support/rejection.js';

/**
 * The local rehearsal refuses what AWS would refuse: every KMS and DynamoDB call a function makes
 * is made as its own role and evaluated against the synthesized policies; the gateway evaluates the
 * API's resource policy and the callers' managed policies. Taking one permission out of the
 * synthesized templates makes exactly the call that needs it fail with AWS's error.
 */
const execFileAsync = promisify(execFile);
const context = { dataKeyId: '00000000-0000-4000-8000-000000000000', dataKeyVersion: '1' };

/** SDK clients acting as a function's role, with its own credentials, as Lambda would. */
function asFunction(runtime: LocalRuntime, fn: ApiFunctionName) {
  const { accessKeyId, secretAccessKey, sessionToken } = runtime.functionIdentities[fn];
  const config = { region: 'us-east-1', credentials: { accessKeyId, secretAccessKey, sessionToken }, maxAttempts: 1 };
  return { kms: new KMSClient({ ...config, endpoint: runtime.kmsUrl }), dynamoDb: new DynamoDBClient({ ...config, endpoint: runtime.dynamoDbUrl }) };
}

/** A real wrapped data key, made by the keys function as it makes every one. */
async function wrappedKey(runtime: LocalRuntime): Promise<Uint8Array> {
  const out = await asFunction(runtime, 'keys').kms.send(
    new GenerateDataKeyWithoutPlaintextCommand({ KeyId: runtime.masterKeyArn, KeySpec: 'AES_256', EncryptionContext: context }),
  );
  return out.CiphertextBlob!;
}

type Statement = { Sid?: string; Action: string | string[] };
type PolicyResource = { Type: string; Properties: { PolicyDocument: { Statement: Statement[] }; Roles: { Ref: string }[]; RoleName?: string } };

/** Removes one action from the identity policy of a function's role, in the synthesized API template. */
function withoutRoleAction(templates: SynthesizedTemplates, fn: ApiFunctionName, action: string): SynthesizedTemplates {
  const resources = templates.api.Resources as unknown as Record<string, PolicyResource>;
  const roleId = Object.entries(resources).find(
    ([, r]) => r.Type === 'AWS::IAM::Role' && r.Properties.RoleName === functionRoleName(LOCAL_STAGE, 'us-east-1', fn),
  )![0];
  const policy = Object.values(resources).find((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((role) => role.Ref === roleId))!;
  const statement = policy.Properties.PolicyDocument.Statement.find((s) => [s.Action].flat().includes(action))!;
  statement.Action = [statement.Action].flat().filter((a) => a !== action);
  return templates;
}

/** Removes a statement, by Sid, from the master key's policy in the synthesized key template. */
function withoutKeyPolicyStatement(templates: SynthesizedTemplates, sid: string): SynthesizedTemplates {
  const key = Object.values(templates.key.Resources).find((r) => r.Type === 'AWS::KMS::Key')!;
  const policy = key.Properties!.KeyPolicy as { Statement: Statement[] };
  expect(policy.Statement.some((s) => s.Sid === sid)).toBe(true);
  policy.Statement = policy.Statement.filter((s) => s.Sid !== sid);
  return templates;
}

describe('with the synthesized policies as they are', () => {
  let runtime: LocalRuntime;
  beforeAll(async () => {
    runtime = await startInProcessRuntime({ ENVELOPE_CACHE_MAX_AGE_SECONDS: '0' });
  });
  afterAll(async () => runtime?.close());

  it('lets anybody call GET /v1/health and nobody unsigned call any other route', async () => {
    expect((await fetch(`${runtime.apiUrl}/v1/health`)).status).toBe(200);
    for (const route of API_ROUTES.filter((r) => r.iamAuth)) {
      const response = await fetch(runtime.apiUrl + route.resource.replace(/\{[^}]+\}/g, 'x'), { method: route.method });
      expect(response.status, `${route.method} ${route.resource}`).toBe(403);
      expect(await response.json()).toMatchObject({ error: { code: 'AccessDenied' } });
    }
  });

  it('refuses a signed caller with no caller policy at the gateway, before any handler runs', async () => {
    runtime.resetCalls();
    for (const call of [
      () => clientFor(runtime.apiUrl, 'stranger').createKey(),
      () => clientFor(runtime.apiUrl, 'stranger').encrypt('alias/any', 'x'),
    ]) {
      const error = await failure(call());
      expect(error).toMatchObject({ status: 403, code: 'AccessDenied' });
      expect(error.message).toMatch(/user\/stranger is not authorized to perform: execute-api:Invoke/);
    }
    expect(runtime.calls.kms).toEqual({});
    expect(runtime.calls.dynamoDb).toEqual({});
  });

  it('refuses a caller of another account that the resource policy does not list', async () => {
    const error = await failure(clientFor(runtime.apiUrl, 'partner').listKeys());
    expect(error).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(error.message).toMatch(/no resource-based policy allows the execute-api:Invoke action/);
  });

  it('lets callers with the managed policies reach routes with path parameters and the master-key status', async () => {
    const owner = clientFor(runtime.apiUrl, 'owner');
    const { keyId } = await owner.createKey();
    expect((await owner.getKey(keyId)).keyId).toBe(keyId);
    expect((await owner.masterKey()).keyArn).toBe(runtime.masterKeyArn);
  });

  it('encrypts with the cache off writing nothing: encrypting needs no coordination', async () => {
    const owner = clientFor(runtime.apiUrl, 'owner');
    const { keyId } = await owner.createKey();
    runtime.resetCalls();
    for (let i = 0; i < 20; i++) await owner.encrypt(keyId, `message ${i}`);
    expect(Object.keys(runtime.calls.dynamoDb).sort()).toEqual(['GetItem']);
    expect(runtime.calls.kms).toEqual({ Decrypt: 20 });
  });

  it('refuses each function every KMS call its role and the key policy do not allow, with AccessDeniedException', async () => {
    // The crypto function may unwrap data keys, bound to their context, and do nothing else with the master key.
    const crypto = asFunction(runtime, 'crypto').kms;
    const refused = await rejection(
      crypto.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: runtime.masterKeyArn, KeySpec: 'AES_256', EncryptionContext: context })),
    );
    expect(refused.name).toBe('AccessDeniedException');
    expect(refused.$metadata?.httpStatusCode).toBe(400);
    expect(refused.message).toMatch(
      /assumed-role\/envelope-api-local-us-east-1-crypto\/.* is not authorized to perform: kms:GenerateDataKeyWithoutPlaintext/,
    );
    const { dataKeyVersion: _, ...partial } = context;
    const blob = await wrappedKey(runtime);
    expect(
      (await crypto.send(new DecryptCommand({ KeyId: runtime.masterKeyArn, CiphertextBlob: blob, EncryptionContext: context }))).Plaintext,
    ).toHaveLength(32);
    expect(
      (await rejection(crypto.send(new DecryptCommand({ KeyId: runtime.masterKeyArn, CiphertextBlob: blob, EncryptionContext: partial })))).name,
    ).toBe('AccessDeniedException');
    expect((await rejection(crypto.send(new DescribeKeyCommand({ KeyId: runtime.masterKeyArn })))).name).toBe('AccessDeniedException');
    // The master-key function reads status only.
    expect(
      (await rejection(asFunction(runtime, 'masterKey').kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: context })))).name,
    ).toBe('AccessDeniedException');
    // Callers have no KMS rights at all.
    expect((await rejection(kmsClientFor(runtime.kmsUrl, 'owner').send(new DescribeKeyCommand({ KeyId: MASTER_KEY_ALIAS })))).name).toBe(
      'AccessDeniedException',
    );
  });

  it('refuses each function every DynamoDB call its role does not allow, with AccessDeniedException', async () => {
    const key = { pk: { S: 'KEY#x' }, sk: { S: 'META' } };
    const crypto = asFunction(runtime, 'crypto').dynamoDb;
    expect((await crypto.send(new GetItemCommand({ TableName: LOCAL_TABLE_NAME, Key: key }))).Item).toBeUndefined();
    const refused = await rejection(crypto.send(new DeleteItemCommand({ TableName: LOCAL_TABLE_NAME, Key: key })));
    expect(refused.name).toBe('AccessDeniedException');
    expect(refused.message).toMatch(/not authorized to perform: dynamodb:DeleteItem/);
    expect(
      (await rejection(asFunction(runtime, 'masterKey').dynamoDb.send(new GetItemCommand({ TableName: LOCAL_TABLE_NAME, Key: key })))).name,
    ).toBe('AccessDeniedException');
  });

  it("lets the crypto role update a version's last-use hour and no other attribute (dynamodb:Attributes)", async () => {
    const db = asFunction(runtime, 'crypto').dynamoDb;
    const update = (set: string, extra: object = {}) =>
      db.send(
        new UpdateItemCommand({
          TableName: LOCAL_TABLE_NAME,
          Key: { pk: { S: 'KEY#x' }, sk: { S: 'V#0000000001' } },
          UpdateExpression: `SET ${set} = :v`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':v': { S: '2026-12-06T22:00:00.000Z' } },
          ...extra,
        }),
      );
    // Allowed, and refused by the item's absence only.
    expect((await rejection(update('lastUsedAt'))).name).toBe('ConditionalCheckFailedException');
    expect((await rejection(update('#n', { ExpressionAttributeNames: { '#n': 'lastUsedAt' } }))).name).toBe('ConditionalCheckFailedException');
    for (const refused of [
      update('wrappedKey'),
      update('#n', { ExpressionAttributeNames: { '#n': 'policy' } }),
      update('lastUsedAt, expiresAt'),
      update('lastUsedAt', { ReturnValues: 'ALL_OLD' }),
      db.send(new PutItemCommand({ TableName: LOCAL_TABLE_NAME, Item: { pk: { S: 'KEY#x' }, sk: { S: 'V#0000000001' } } })),
    ]) {
      const error = await rejection(refused);
      expect(error.name).toBe('AccessDeniedException');
      expect(error.message).toMatch(/crypto\/.* is not authorized to perform: dynamodb:(UpdateItem|PutItem)/);
    }
  });

  it('lets the master-key role read the health probe item and nothing else of the table (dynamodb:LeadingKeys)', async () => {
    const db = asFunction(runtime, 'masterKey').dynamoDb;
    const probe = { pk: { S: HEALTH_PROBE_ITEM.partitionKey }, sk: { S: HEALTH_PROBE_ITEM.sortKey } };
    expect((await db.send(new GetItemCommand({ TableName: LOCAL_TABLE_NAME, Key: probe }))).Item).toBeUndefined();
    const other = await rejection(db.send(new GetItemCommand({ TableName: LOCAL_TABLE_NAME, Key: { ...probe, pk: { S: 'KEY#x' } } })));
    expect(other.name).toBe('AccessDeniedException');
    expect(other.message).toMatch(/master-key\/.* is not authorized to perform: dynamodb:GetItem/);
    const query = new QueryCommand({
      TableName: LOCAL_TABLE_NAME,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': probe.pk },
    });
    expect((await rejection(db.send(query))).name).toBe('AccessDeniedException');
    const batch = new BatchGetItemCommand({ RequestItems: { [LOCAL_TABLE_NAME]: { Keys: [probe] } } });
    expect((await rejection(db.send(batch))).name).toBe('AccessDeniedException');
  });

  it('lets the key administrator administer the master key with the AWS CLI, but not use it', async () => {
    const { accessKeyId, secretAccessKey } = principal('keyadmin');
    const { AWS_SESSION_TOKEN: _token, AWS_PROFILE: _profile, ...env } = process.env;
    const aws = (...args: string[]) =>
      execFileAsync('aws', ['--region', 'us-east-1', '--endpoint-url', runtime.kmsUrl, 'kms', ...args, '--output', 'json'], {
        env: { ...env, AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey },
      });
    const described = JSON.parse((await aws('describe-key', '--key-id', MASTER_KEY_ALIAS)).stdout) as { KeyMetadata: { Arn: string } };
    expect(described.KeyMetadata.Arn).toBe(runtime.masterKeyArn);
    await aws('disable-key', '--key-id', runtime.masterKeyArn);
    expect(await failure(clientFor(runtime.apiUrl, 'owner').createKey())).toMatchObject({ status: 409, code: 'MasterKeyDisabled' });
    await aws('enable-key', '--key-id', runtime.masterKeyArn);
    const denied = await aws('encrypt', '--key-id', runtime.masterKeyArn, '--plaintext', 'aGk=').then(
      () => '',
      (error: { stderr: string }) => error.stderr,
    );
    expect(denied).toMatch(/AccessDeniedException/);
  });
});

describe('with one permission taken out of the synthesized templates', () => {
  let runtime: LocalRuntime;
  beforeAll(async () => {
    runtime = await startInProcessRuntime(
      { ENVELOPE_CACHE_MAX_AGE_SECONDS: '0' },
      {
        alterTemplates: (templates) =>
          withoutKeyPolicyStatement(
            withoutRoleAction(
              withoutRoleAction(withoutRoleAction(templates, 'crypto', 'kms:Decrypt'), 'masterKey', 'kms:GetKeyRotationStatus'),
              'keys',
              'dynamodb:DeleteItem',
            ),
            'KeyAdministrators',
          ),
      },
    );
  });
  afterAll(async () => runtime?.close());

  it('the crypto role without kms:Decrypt: its Decrypt is refused, and encrypt answers 503', async () => {
    const owner = clientFor(runtime.apiUrl, 'owner');
    const { keyId } = await owner.createKey();
    expect(await failure(owner.encrypt(keyId, 'data'))).toMatchObject({ status: 503, code: 'DependencyUnavailable' });
    const refused = await rejection(
      asFunction(runtime, 'crypto').kms.send(new DecryptCommand({ CiphertextBlob: await wrappedKey(runtime), EncryptionContext: context })),
    );
    expect(refused.name).toBe('AccessDeniedException');
  });

  it('the master-key role without kms:GetKeyRotationStatus: the status answers 503, DescribeKey still works', async () => {
    expect(await failure(clientFor(runtime.apiUrl, 'owner').masterKey())).toMatchObject({ status: 503, code: 'DependencyUnavailable' });
    const kms = asFunction(runtime, 'masterKey').kms;
    expect((await kms.send(new DescribeKeyCommand({ KeyId: runtime.masterKeyArn }))).KeyMetadata?.Arn).toBe(runtime.masterKeyArn);
    expect((await rejection(kms.send(new GetKeyRotationStatusCommand({ KeyId: runtime.masterKeyArn })))).name).toBe('AccessDeniedException');
  });

  it('the keys role without dynamodb:DeleteItem: its DeleteItem is refused', async () => {
    const refused = await rejection(
      asFunction(runtime, 'keys').dynamoDb.send(new DeleteItemCommand({ TableName: LOCAL_TABLE_NAME, Key: { pk: { S: 'x' }, sk: { S: 'y' } } })),
    );
    expect(refused.name).toBe('AccessDeniedException');
  });

  it('the key policy without its administrators statement: the key administrator is refused', async () => {
    const keyAdmin = kmsClientFor(runtime.kmsUrl, 'keyadmin');
    expect((await rejection(keyAdmin.send(new DisableKeyCommand({ KeyId: runtime.masterKeyArn })))).name).toBe('AccessDeniedException');
    expect((await rejection(keyAdmin.send(new EnableKeyCommand({ KeyId: runtime.masterKeyArn })))).name).toBe('AccessDeniedException');
  });
});

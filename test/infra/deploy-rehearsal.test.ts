import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { APIGatewayClient, GetRestApisCommand } from '@aws-sdk/client-api-gateway';
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStacksCommand,
  waitUntilStackCreateComplete,
  waitUntilStackDeleteComplete,
  type Parameter,
} from '@aws-sdk/client-cloudformation';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetKeyRotationStatusCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetFunctionCommand, GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DeletePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MotoServer, startMotoServer } from '../support/moto-server.js';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApiFunctionName } from '../../contract/index.js';
import { HANDLER_ENV } from '../../lambdas/config.js';
import { DEFAULT_CACHE_LIMITS } from '../../lambdas/domain/data-key-provider.js';
import { DataKeyStore } from '../../lambdas/domain/data-key-store.js';
import { EnvelopeEncryption } from '../../lambdas/domain/envelope-encryption.js';
import { KeyManagement } from '../../lambdas/domain/key-management.js';
import { MasterKey as DomainMasterKey } from '../../lambdas/domain/master-key.js';
import { type SynthesizedApp, synthesizeApp } from './synthesize.js';

/**
 * Deploys the synthesized templates into moto's CloudFormation, an engine nobody here wrote: every
 * stack of a stage in the documented order, with rotation on and off and with imported key
 * material, and a destroy and redeploy of the API stack; checks through the AWS SDK what got
 * created. moto cannot run the Lambda code; it does create the functions from the asset zips
 * uploaded to its S3, and the domain runs over its KMS and DynamoDB with their settings.
 */
const run = promisify(execFile);
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
let moto: MotoServer;
let endpoint: string;

const client = <T>(Client: new (config: object) => T): T =>
  new Client({ endpoint, region: REGION, forcePathStyle: true, credentials: moto.credentials });

beforeAll(async () => {
  moto = await startMotoServer();
  endpoint = moto.endpoint;
  await client(SSMClient).send(new PutParameterCommand({ Name: '/cdk-bootstrap/hnb659fds/version', Value: '30', Type: 'String' }));
  await client(S3Client).send(new CreateBucketCommand({ Bucket: `cdk-hnb659fds-assets-${ACCOUNT}-${REGION}` }));
});
afterAll(() => {
  moto?.stop();
});

/** Zips and uploads the stack's file assets where the template expects them, as `cdk deploy` does. */
interface AssetManifestEntry {
  readonly source: { readonly path: string; readonly packaging?: string };
  readonly destinations: Record<string, { bucketName: string; objectKey: string }>;
}

async function publishAssets(outdir: string): Promise<void> {
  for (const manifest of readdirSync(outdir).filter((f) => f.endsWith('.assets.json'))) {
    const { files } = JSON.parse(readFileSync(join(outdir, manifest), 'utf8')) as { files: Record<string, AssetManifestEntry> };
    for (const asset of Object.values(files)) {
      const source = join(outdir, asset.source.path);
      for (const destination of Object.values(asset.destinations)) {
        const body = asset.source.packaging === 'zip' ? await zip(source) : readFileSync(source);
        await client(S3Client).send(
          new PutObjectCommand({
            // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's placeholders, as the asset manifest writes them.
            Bucket: destination.bucketName.replace('${AWS::AccountId}', ACCOUNT).replace('${AWS::Region}', REGION),
            Key: destination.objectKey,
            Body: body,
          }),
        );
      }
    }
  }
}

async function zip(dir: string): Promise<Buffer> {
  const target = join(tmpdir(), `asset-${process.pid}-${Date.now()}.zip`);
  await run('python3', ['-m', 'zipfile', '-c', target, ...readdirSync(dir)], { cwd: dir });
  return readFileSync(target);
}

async function deploy(stackName: string, outdir: string, parameters: Record<string, string> = {}): Promise<Record<string, string>> {
  const cloudFormation = client(CloudFormationClient);
  await cloudFormation.send(
    new CreateStackCommand({
      StackName: stackName,
      TemplateBody: JSON.stringify(forMoto(JSON.parse(readFileSync(join(outdir, `${stackName}.template.json`), 'utf8')))),
      Parameters: Object.entries(parameters).map(([ParameterKey, ParameterValue]): Parameter => ({ ParameterKey, ParameterValue })),
      Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
    }),
  );
  await waitUntilStackCreateComplete({ client: cloudFormation, maxWaitTime: 120, minDelay: 1, maxDelay: 2 }, { StackName: stackName });
  return outputsOf(stackName);
}

async function outputsOf(stackName: string): Promise<Record<string, string>> {
  const { Stacks } = await client(CloudFormationClient).send(new DescribeStacksCommand({ StackName: stackName }));
  return Object.fromEntries((Stacks![0]!.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]));
}

/**
 * Deletes a stack as `cdk destroy` does. moto 5.2.1 leaves the stack's AWS::IAM::ManagedPolicy
 * resources behind (it has no deletion handler for them; CloudFormation deletes them), so they are
 * deleted here by the names the template gives them, as CloudFormation would.
 */
async function destroy(stackName: string, outdir: string): Promise<void> {
  const cloudFormation = client(CloudFormationClient);
  await cloudFormation.send(new DeleteStackCommand({ StackName: stackName }));
  await waitUntilStackDeleteComplete({ client: cloudFormation, maxWaitTime: 120, minDelay: 1, maxDelay: 2 }, { StackName: stackName });
  const template = JSON.parse(readFileSync(join(outdir, `${stackName}.template.json`), 'utf8')) as {
    Resources: Record<string, { Type: string; Properties?: { ManagedPolicyName?: unknown } }>;
  };
  for (const resource of Object.values(template.Resources).filter((r) => r.Type === 'AWS::IAM::ManagedPolicy')) {
    const name = String(policyName(resource.Properties?.ManagedPolicyName));
    await client(IAMClient).send(new DeletePolicyCommand({ PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/${name}` }));
  }
}

/** A managed policy's name as the template writes it: `Fn::Join` of the stage and the region. */
function policyName(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (!join) throw new Error(`Unexpected managed policy name ${JSON.stringify(value)}`);
  return join[1]
    .map((part) => (typeof part === 'string' ? part : (part as { Ref?: string }).Ref === 'AWS::Region' ? REGION : policyName(part)))
    .join(join[0]);
}

const output = (outputs: Record<string, string>, prefix: string) => Object.entries(outputs).find(([name]) => name.startsWith(prefix))![1];

/** The account stack is one per region, shared by every stage: deployed by whichever stage comes first. */
let accountStack: Promise<Record<string, string>> | undefined;

/** Deploys a stage in the documented order: the region's account stack, the key and data stacks, then the API stack. */
async function deployStage(stage: string, keyParameters: Record<string, string>) {
  const app = synthesizeApp(stage);
  await publishAssets(app.outdir);
  accountStack ??= deploy(app.accountStack!.stackName, app.outdir);
  const account = await accountStack;
  const key = await deploy(app.keyStack.stackName, app.outdir, keyParameters);
  const data = await deploy(app.dataStack.stackName, app.outdir, { AuditRetentionInDays: '30' });
  const api = await deploy(app.apiStack.stackName, app.outdir);
  return { app, outputs: { account, key, data, api } };
}

/** The settings a deployed function runs with, as Lambda reports them. */
async function functionEnvironment(app: SynthesizedApp, fn: ApiFunctionName): Promise<Record<string, string>> {
  const name = app.apiStack.resolve(app.apiStack.functions[fn].function.functionName) as { Ref: string };
  const physical = await physicalId(app.apiStack.stackName, name.Ref);
  const { Environment } = await client(LambdaClient).send(new GetFunctionConfigurationCommand({ FunctionName: physical }));
  return Environment?.Variables ?? {};
}

/**
 * The domain the functions run, over moto's KMS and DynamoDB with the settings the deployed crypto
 * function has (moto cannot run the bundles themselves): what a redeploy must keep working.
 */
async function servicesOf(app: SynthesizedApp) {
  const environment = await functionEnvironment(app, 'crypto');
  const table = environment[HANDLER_ENV.tableName]!;
  const masterKeyArn = environment[HANDLER_ENV.masterKeyArn]!;
  const store = new DataKeyStore(DynamoDBDocumentClient.from(client(DynamoDBClient), { marshallOptions: { removeUndefinedValues: true } }), table);
  const masterKey = new DomainMasterKey(client(KMSClient), masterKeyArn);
  return {
    table,
    masterKeyArn,
    keys: new KeyManagement(store, masterKey),
    crypto: EnvelopeEncryption.over(store, masterKey, { ...DEFAULT_CACHE_LIMITS, maxAgeSeconds: 0 }),
  };
}

const OWNER = `arn:aws:iam::${ACCOUNT}:role/owner`;

describe.each([
  { stage: 'rotation-on', enableKeyRotation: 'true', keyMaterialOrigin: 'AWS_KMS' },
  { stage: 'rotation-off', enableKeyRotation: 'false', keyMaterialOrigin: 'AWS_KMS' },
  { stage: 'imported', enableKeyRotation: 'false', keyMaterialOrigin: 'EXTERNAL' },
])(
  'deploy rehearsal in moto with EnableKeyRotation=$enableKeyRotation, KeyMaterialOrigin=$keyMaterialOrigin',
  ({ stage, enableKeyRotation, keyMaterialOrigin }) => {
    it('deploys the account, key, data and API stacks: rotation as asked, the table under the storage key, the functions and the API', async () => {
      const { app, outputs } = await deployStage(stage, {
        EnableKeyRotation: enableKeyRotation,
        RotationPeriodInDays: '180',
        KeyAdminPrincipalArns: `arn:aws:iam::${ACCOUNT}:root`,
        PendingWindowInDays: '7',
        KeyMaterialOrigin: keyMaterialOrigin,
      });
      const masterKeyArn = output(outputs.key, 'MasterKeyArn');
      // moto's CloudFormation takes KeyMaterialOrigin but does not model Origin (nor DescribeKey on such keys): the template tests pin it.
      const rotation = await client(KMSClient).send(new GetKeyRotationStatusCommand({ KeyId: masterKeyArn }));
      expect(rotation.KeyRotationEnabled).toBe(enableKeyRotation === 'true');

      const tableName = output(outputs.data, 'DataKeyTableName');
      expect(tableName).toBe(`envelope-api-${stage}-data-keys`);
      const { Table } = await client(DynamoDBClient).send(new DescribeTableCommand({ TableName: tableName }));
      expect(Table!.KeySchema).toEqual([
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ]);
      // Stored under the data stack's own key, never the master key: disabling the master key cannot reach it.
      const storageKeyArn = output(outputs.data, 'StorageKeyArn');
      expect(storageKeyArn).not.toBe(masterKeyArn);
      expect(Table!.SSEDescription?.KMSMasterKeyArn).toBe(storageKeyArn);
      const storageRotation = await client(KMSClient).send(new GetKeyRotationStatusCommand({ KeyId: storageKeyArn }));
      expect(storageRotation.KeyRotationEnabled).toBe(true);

      const lambda = client(LambdaClient);
      for (const fn of Object.keys(app.apiStack.functions) as ApiFunctionName[]) {
        const name = app.apiStack.resolve(app.apiStack.functions[fn].function.functionName) as { Ref: string };
        const { Configuration } = await lambda.send(new GetFunctionCommand({ FunctionName: await physicalId(app.apiStack.stackName, name.Ref) }));
        // moto's CloudFormation drops Architectures (it reports x86_64); the template tests pin arm64.
        expect(Configuration).toMatchObject({ Runtime: 'nodejs24.x', Handler: 'index.handler' });
        expect(Configuration!.CodeSize).toBeGreaterThan(0);
        // The data is found by the data stack's exports, and the role is named for the stage and region.
        if (fn !== 'health') expect(Configuration!.Environment?.Variables?.[HANDLER_ENV.tableName]).toBe(tableName);
        expect(Configuration!.Role).toContain(`role/envelope-api-${stage}-${REGION}-`);
      }
      const { items } = await client(APIGatewayClient).send(new GetRestApisCommand({}));
      expect(items!.map((api) => api.name)).toContain(`envelope-api-${stage}`);
      expect(Object.keys(outputs.api).some((name) => name.startsWith('ApiUrl'))).toBe(true);
    });
  },
);

describe('redeploying the API stack', () => {
  it('finds the same table and master key, and decrypts what was encrypted before the API stack was destroyed', async () => {
    const { app } = await deployStage('redeploy', { KeyAdminPrincipalArns: `arn:aws:iam::${ACCOUNT}:root` });
    const before = await servicesOf(app);
    const key = await before.keys.createKey(OWNER, { alias: 'orders', description: 'kept across redeploys' });
    const sealed = await before.crypto.encrypt(OWNER, key.keyId, { plaintext: Buffer.from('made before the redeploy'), context: { order: '7' } });

    await destroy(app.apiStack.stackName, app.outdir);
    await deploy(app.apiStack.stackName, app.outdir);
    const after = await servicesOf(app);
    expect({ table: after.table, masterKeyArn: after.masterKeyArn }).toEqual({ table: before.table, masterKeyArn: before.masterKeyArn });
    const opened = await after.crypto.decrypt(OWNER, { ciphertext: sealed.ciphertext.toBytes(), context: { order: '7' } });
    expect(opened.plaintext.toString()).toBe('made before the redeploy');
    expect((await after.keys.describeKey(OWNER, 'alias/orders')).keyId).toBe(key.keyId);
  });
});

/**
 * The changes the rehearsal makes to a template: moto 5.2.1 reads KMS key tags with KMS API
 * field names (TagKey) instead of CloudFormation's (Key) and fails, so the key's tags are left out
 * here; it reads a table's SSESpecification with the API's field name (Enabled) instead of
 * CloudFormation's (SSEEnabled), so the value is given under both; and its CloudFormation has no AWS::SecretsManager::Secret (a reference to one resolves to
 * nothing, and the policies naming it are refused), so the audit key secret is rehearsed as an SNS
 * topic, whose reference resolves to an ARN as the secret's does; nor AWS::Logs::QueryDefinition
 * (it skips the resource, then fails describing the stack's resources), so the saved queries, to
 * which nothing refers, are left out; likewise AWS::ApiGateway::Account (the account stack keeps
 * its role, which moto creates). The real stacks keep all of them; the template tests pin them.
 */
function forMoto(template: { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> }) {
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type === 'AWS::KMS::Key') delete resource.Properties!.Tags;
    const sse = resource.Properties?.SSESpecification as { SSEEnabled?: boolean; Enabled?: boolean } | undefined;
    if (resource.Type === 'AWS::DynamoDB::Table' && sse) sse.Enabled = sse.SSEEnabled;
    if (resource.Type === 'AWS::Logs::QueryDefinition' || resource.Type === 'AWS::ApiGateway::Account') delete template.Resources[id];
    if (resource.Type === 'AWS::SecretsManager::Secret') {
      Object.assign(resource, { Type: 'AWS::SNS::Topic', Properties: { TopicName: String(resource.Properties!.Name).replaceAll('/', '-') } });
    }
  }
  return template;
}

async function physicalId(stackName: string, logicalId: string): Promise<string> {
  const { DescribeStackResourceCommand } = await import('@aws-sdk/client-cloudformation');
  const { StackResourceDetail } = await client(CloudFormationClient).send(
    new DescribeStackResourceCommand({ StackName: stackName, LogicalResourceId: logicalId }),
  );
  return StackResourceDetail!.PhysicalResourceId!;
}

import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { APIGatewayClient, GetRestApisCommand } from '@aws-sdk/client-api-gateway';
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
  waitUntilStackCreateComplete,
  type Parameter,
} from '@aws-sdk/client-cloudformation';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetKeyRotationStatusCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MotoServer, startMotoServer } from '../support/moto-server.js';
import { synthesizeApp } from './synthesize.js';

/**
 * Deploys the synthesized templates into moto's CloudFormation, an engine nobody here wrote, with
 * rotation on and off, and checks through the AWS SDK what got created. moto cannot run the Lambda
 * code; it does create the functions from the asset zips uploaded to its S3.
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

async function deploy(stackName: string, outdir: string, parameters: Record<string, string>): Promise<Record<string, string>> {
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
  const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
  return Object.fromEntries((Stacks![0]!.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]));
}

describe.each([
  { stage: 'rotation-on', enableKeyRotation: 'true', keyMaterialOrigin: 'AWS_KMS' },
  { stage: 'rotation-off', enableKeyRotation: 'false', keyMaterialOrigin: 'AWS_KMS' },
  { stage: 'imported', enableKeyRotation: 'false', keyMaterialOrigin: 'EXTERNAL' },
])(
  'deploy rehearsal in moto with EnableKeyRotation=$enableKeyRotation, KeyMaterialOrigin=$keyMaterialOrigin',
  ({ stage, enableKeyRotation, keyMaterialOrigin }) => {
    it('creates the key with rotation as asked, and the table, functions and API', async () => {
      const { outdir, keyStack, apiStack } = synthesizeApp(stage);
      await publishAssets(outdir);
      const keyOutputs = await deploy(keyStack.stackName, outdir, {
        EnableKeyRotation: enableKeyRotation,
        RotationPeriodInDays: '180',
        KeyAdminPrincipalArns: `arn:aws:iam::${ACCOUNT}:root`,
        PendingWindowInDays: '7',
        KeyMaterialOrigin: keyMaterialOrigin,
      });
      const keyArn = Object.entries(keyOutputs).find(([name]) => name.startsWith('MasterKeyArn'))![1];
      // moto's CloudFormation takes KeyMaterialOrigin but does not model Origin (nor DescribeKey on such keys): the template tests pin it.
      const rotation = await client(KMSClient).send(new GetKeyRotationStatusCommand({ KeyId: keyArn }));
      expect(rotation.KeyRotationEnabled).toBe(enableKeyRotation === 'true');

      const apiOutputs = await deploy(apiStack.stackName, outdir, {});
      const tableName = Object.entries(apiOutputs).find(([name]) => name.startsWith('DataKeyTableName'))![1];
      const { Table } = await client(DynamoDBClient).send(new DescribeTableCommand({ TableName: tableName }));
      expect(Table!.KeySchema).toEqual([
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ]);

      const lambda = client(LambdaClient);
      for (const fn of Object.values(apiStack.functions)) {
        const name = apiStack.resolve(fn.function.functionName) as { Ref: string };
        const physical = await physicalId(apiStack.stackName, name.Ref);
        const { Configuration } = await lambda.send(new GetFunctionCommand({ FunctionName: physical }));
        // moto's CloudFormation drops Architectures (it reports x86_64); the template tests pin arm64.
        expect(Configuration).toMatchObject({ Runtime: 'nodejs24.x', Handler: 'index.handler' });
        expect(Configuration!.CodeSize).toBeGreaterThan(0);
      }
      const { items } = await client(APIGatewayClient).send(new GetRestApisCommand({}));
      expect(items!.map((api) => api.name)).toContain(`envelope-api-${stage}`);
      expect(Object.keys(apiOutputs).some((name) => name.startsWith('ApiUrl'))).toBe(true);
    });
  },
);

/**
 * The changes the rehearsal makes to a template: moto 5.2.1 reads KMS key tags with KMS API
 * field names (TagKey) instead of CloudFormation's (Key) and fails, so the key's tags are left out
 * here; and its CloudFormation has no AWS::SecretsManager::Secret (a reference to one resolves to
 * nothing, and the policies naming it are refused), so the audit key secret is rehearsed as an SNS
 * topic, whose reference resolves to an ARN as the secret's does; nor AWS::Logs::QueryDefinition
 * (it skips the resource, then fails describing the stack's resources), so the saved queries, to
 * which nothing refers, are left out. The real stacks keep all of them; the template tests pin them.
 */
function forMoto(template: { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> }) {
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type === 'AWS::KMS::Key') delete resource.Properties!.Tags;
    if (resource.Type === 'AWS::Logs::QueryDefinition') delete template.Resources[id];
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

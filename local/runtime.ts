import { setting } from './settings.js';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import type { ApiFunctionName } from '../contract/index.js';
import { HANDLER_ENV } from '../lambdas/config.js';
import { DEFAULT_CACHE_LIMITS } from '../lambdas/domain/data-key-provider.js';
import { DATA_KEY_SETTINGS, functionEnvironment, type DataKeySetting, type FunctionEnvironmentProps } from '../lib/function-environment.js';
import { API_FUNCTIONS } from '../lib/functions.js';
import { serviceName } from '../lib/naming.js';
import { crossAccountCallersFromContext } from '../lib/stage-context.js';
import { auditFileIn, auditKeyFileIn, localAuditTrail } from './audit-trail.js';
import { startDynamoDbAccessProxy } from './dynamodb-access-proxy.js';
import { ensureTable, startDynamoDb, type DynamoDbEngine } from './dynamodb.js';
import { closeServer, listen } from './http-server.js';
import { loadPrincipals, type LocalPrincipal } from './gateway/principals.js';
import { deployedApiOf } from './gateway/deployed-api.js';
import { apiGatewayAuthorization } from './gateway/resource-policy.js';
import { startLocalGateway } from './gateway/server.js';
import { deployedFunctions, startFunctions } from './handlers.js';
import { LocalAccessControl } from './iam/access-control.js';
import { apiPoliciesOf, keyPolicyOf, storageKeyPolicyOf, tableEncryptionKeyOf, type DeployedPolicies } from './iam/deployed-policies.js';
import { callerIdentities, deployerIdentity, functionIdentities, type LocalIdentity } from './iam/local-identities.js';
import { synthesizedTemplates, type DeploymentTarget, type SynthesizedTemplates } from './iam/synthesized-templates.js';
import { startKmsEmulator } from './kms-emulator/server.js';
import { ensureKey, keyMaterialOriginOf, type KeyMaterialOrigin } from './master-key-bootstrap.js';

export interface LocalRuntimeConfig {
  readonly port: number;
  readonly kmsPort: number;
  readonly dynamoDbPort: number;
  readonly region: string;
  readonly dataDir: string;
  readonly dynamoDbEngine: DynamoDbEngine;
  readonly principalsFile?: string;
  /** The key stack's KeyMaterialOrigin: `EXTERNAL` creates the master key waiting for imported material. */
  readonly keyMaterialOrigin: KeyMaterialOrigin;
  /** Principals of other accounts the API's resource policy admits, as `-c callers=…` does for a deploy. */
  readonly crossAccountCallers: readonly string[];
  /** The data-key functions' settings: the cache's age always, as the stack's parameter gives it, the others when set. */
  readonly dataKeySettings: Readonly<Partial<Record<DataKeySetting, string>>>;
  /** Powertools' settings (POWERTOOLS_LOG_LEVEL, …), for every function, as one would set them on the deployed ones. */
  readonly powertoolsSettings: Readonly<Record<string, string>>;
}

export interface LocalRuntime {
  readonly apiUrl: string;
  readonly kmsUrl: string;
  /** DynamoDB as the functions reach it: through the IAM-enforcing proxy. */
  readonly dynamoDbUrl: string;
  /** DynamoDB itself (DYNAMODB_PORT), behind the proxy. */
  readonly dynamoDbEngineUrl: string;
  /** The region signatures are verified for (AWS_REGION). */
  readonly region: string;
  readonly masterKeyArn: string;
  /** The data stack's key: the table is inaccessible while it is not enabled, as in DynamoDB. */
  readonly storageKeyArn: string;
  /** The state folder (ENVELOPE_DATA_DIR), which holds the audit key. */
  readonly dataDir: string;
  /** The functions' audit records, one JSON line each. */
  readonly auditFile: string;
  readonly principals: readonly LocalPrincipal[];
  /** The policies in force, as synthesized from the stacks. */
  readonly policies: DeployedPolicies;
  /** What CloudFormation deploys as (administrator access): benchmarks use it for their own KMS work. */
  readonly deployer: LocalIdentity;
  /** Each function's identity: its role session and credentials. */
  readonly functionIdentities: Readonly<Record<ApiFunctionName, LocalIdentity>>;
  /** The environment each function runs with: what Lambda provides (region, its role's credentials) and its own variables. */
  environmentFor(fn: ApiFunctionName): Record<string, string>;
  /** Calls the emulators received, per operation: what the service cost in KMS and DynamoDB. */
  readonly calls: { readonly kms: Readonly<Record<string, number>>; readonly dynamoDb: Readonly<Record<string, number>> };
  resetCalls(): void;
  /**
   * Settles, with the reason, once the runtime cannot serve any more and should be stopped rather
   * than answer 503 for ever: DynamoDB Local kept dying after its restarts. Never otherwise.
   */
  readonly failed: Promise<Error>;
  close(): Promise<void>;
}

/** The account, stage and API id the local runtime deploys as. */
export const LOCAL_ACCOUNT = '111122223333';
export const LOCAL_STAGE = 'local';
export const LOCAL_API_ID = 'envelopelocal';
export const MASTER_KEY_ALIAS = 'alias/envelope-api';
export const STORAGE_KEY_ALIAS = 'alias/envelope-api-storage';
export const LOCAL_TABLE_NAME = 'envelope-api-data-keys';

/** Reads the runtime's settings from the environment, with the documented defaults. */
export function configFromEnv(env = process.env): LocalRuntimeConfig {
  const engine = setting(env, 'ENVELOPE_DYNAMODB_ENGINE');
  if (engine !== 'dynalite' && engine !== 'dynamodb-local') {
    throw new Error(`ENVELOPE_DYNAMODB_ENGINE must be dynalite or dynamodb-local, not ${engine}.`);
  }
  return {
    port: Number(setting(env, 'PORT')),
    kmsPort: Number(setting(env, 'KMS_PORT')),
    dynamoDbPort: Number(setting(env, 'DYNAMODB_PORT')),
    region: setting(env, 'AWS_REGION')!,
    dataDir: resolve(setting(env, 'ENVELOPE_DATA_DIR')!),
    dynamoDbEngine: engine,
    principalsFile: setting(env, 'ENVELOPE_PRINCIPALS'),
    keyMaterialOrigin: keyMaterialOriginOf(setting(env, 'ENVELOPE_KEY_MATERIAL_ORIGIN')),
    crossAccountCallers: crossAccountCallersFromContext(env.ENVELOPE_CALLERS),
    dataKeySettings: dataKeySettingsFrom(env),
    powertoolsSettings: Object.fromEntries(
      Object.entries(env).flatMap(([name, value]) => (name.startsWith('POWERTOOLS_') && value !== undefined ? [[name, value]] : [])),
    ),
  };
}

function dataKeySettingsFrom(env: NodeJS.ProcessEnv): Partial<Record<DataKeySetting, string>> {
  const given = DATA_KEY_SETTINGS.flatMap((setting) => {
    const value = env[HANDLER_ENV[setting]];
    return value === undefined ? [] : [[setting, value]];
  });
  return { cacheMaxAgeSeconds: String(DEFAULT_CACHE_LIMITS.maxAgeSeconds), ...Object.fromEntries(given) };
}

/**
 * Runs the whole service on 127.0.0.1 as the stacks deploy it: the KMS emulator holding the master
 * key under its synthesized key policy, DynamoDB behind a proxy that enforces IAM, each function in
 * an environment of its own acting as its own role, and a gateway that verifies SigV4 and evaluates
 * the API's resource policy and the callers' managed policies. Every policy comes from `cdk synth`.
 */
export interface LocalRuntimeOptions {
  /** Changes the synthesized templates before they are deployed: tests use it to take a permission away. */
  readonly alterTemplates?: (templates: SynthesizedTemplates) => SynthesizedTemplates;
}

export async function startLocalRuntime(config: LocalRuntimeConfig, options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  await mkdir(config.dataDir, { recursive: true });
  const target: DeploymentTarget = {
    stage: LOCAL_STAGE,
    account: LOCAL_ACCOUNT,
    region: config.region,
    crossAccountCallers: config.crossAccountCallers,
  };
  const principals = await loadPrincipals(config.principalsFile);
  const synthesized = await synthesizedTemplates(target);
  const templates = options.alterTemplates?.(structuredClone(synthesized)) ?? synthesized;
  const deployer = deployerIdentity(target.account);
  const access = new LocalAccessControl(config.region).register(deployer);
  const closing: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const step of closing.reverse()) await step().catch(() => undefined);
  };
  try {
    // Keys belong to an account and region, so their state file is named after both.
    const kms = await startKmsEmulator({
      port: config.kmsPort,
      region: config.region,
      accountId: target.account,
      dataFile: join(config.dataDir, `kms-${target.account}-${config.region}.json`),
      accessControl: access.kms(),
    });
    closing.push(() => kms.close());
    if (config.dynamoDbEngine === 'dynamodb-local') await ensurePortFree(config.dynamoDbPort);
    const dynamoDb = await startDynamoDb(config.dynamoDbEngine, config.dynamoDbPort, config.dataDir);
    closing.push(() => dynamoDb.close());
    // The key the synthesized table is encrypted with, once the stacks are deployed below.
    let tableKeyArn = '';
    const dynamoDbProxy = await startDynamoDbAccessProxy({
      upstream: dynamoDb.url,
      accessControl: access.dynamoDb(),
      tableInaccessible: (table) => tableInaccessible(table, kms.keyState(tableKeyArn)),
      region: config.region,
      accountId: target.account,
      port: 0,
    });
    closing.push(() => dynamoDbProxy.close());
    useLocalAws(config.region, kms.url, dynamoDbProxy.url);

    const keyAdmins = principals.filter((p) => p.keyAdministrator).map((p) => p.arn);
    // Deployed as CloudFormation would deploy the stacks: the data stack's key, the key stack's key, the table.
    const credentials = { accessKeyId: deployer.accessKeyId, secretAccessKey: deployer.secretAccessKey, sessionToken: deployer.sessionToken };
    const storageKeyArn = await withClient(new KMSClient({ credentials }), (client) =>
      ensureKey(client, STORAGE_KEY_ALIAS, storageKeyPolicyOf(templates, target)),
    );
    const keyPolicy = keyPolicyOf(templates, target, { KeyAdminPrincipalArns: keyAdmins });
    const masterKeyArn = await withClient(new KMSClient({ credentials }), (client) =>
      ensureKey(client, MASTER_KEY_ALIAS, keyPolicy, config.keyMaterialOrigin),
    );
    const resources = { masterKeyArn, storageKeyArn, tableName: LOCAL_TABLE_NAME, apiId: LOCAL_API_ID };
    tableKeyArn = tableEncryptionKeyOf(templates, target, resources);
    // Created under its key, which must be usable then, as DynamoDB requires.
    await withClient(new DynamoDBClient({ credentials }), (client) => ensureTable(client, LOCAL_TABLE_NAME));
    const policies = apiPoliciesOf(templates, target, resources);
    const roles = functionIdentities(policies);
    const callers = callerIdentities(principals, policies);
    access.register(...Object.values(roles), ...callers);
    await localAuditTrail(config.dataDir);
    const environmentFor = functionEnvironments(config, roles, masterKeyArn, { kms: kms.url, dynamoDb: dynamoDbProxy.url });
    const functions = await startFunctions(deployedFunctions(environmentFor));
    closing.push(() => functions.close());
    const api = { apiArn: policies.apiArn, stageName: policies.stageName, resourcePolicy: policies.apiResourcePolicy };
    const gateway = await startLocalGateway({
      api: deployedApiOf(policies),
      handlers: functions.handlers,
      verifier: access.verifier('execute-api'),
      authorize: apiGatewayAuthorization(access, api),
      port: config.port,
    });
    closing.push(() => gateway.close());
    return {
      apiUrl: gateway.url,
      kmsUrl: kms.url,
      dynamoDbUrl: dynamoDbProxy.url,
      dynamoDbEngineUrl: dynamoDb.url,
      region: config.region,
      masterKeyArn,
      storageKeyArn,
      dataDir: config.dataDir,
      auditFile: auditFileIn(config.dataDir),
      principals,
      policies,
      deployer,
      functionIdentities: roles,
      environmentFor,
      calls: { kms: kms.callCounts, dynamoDb: dynamoDb.callCounts },
      resetCalls: () => {
        kms.resetCallCounts();
        dynamoDb.resetCallCounts();
      },
      failed: dynamoDb.failed,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Each function's environment: the developer's Powertools settings, what Lambda provides, and the function's own variables. */
function functionEnvironments(
  config: LocalRuntimeConfig,
  roles: Readonly<Record<ApiFunctionName, LocalIdentity>>,
  masterKeyArn: string,
  endpoints: LocalEndpoints,
): (fn: ApiFunctionName) => Record<string, string> {
  const resources: FunctionEnvironmentProps = {
    serviceName: serviceName(LOCAL_STAGE),
    tableName: LOCAL_TABLE_NAME,
    masterKeyArn,
    auditTrail: { sink: { file: auditFileIn(config.dataDir) }, key: { file: auditKeyFileIn(config.dataDir) } },
    dataKeySettings: config.dataKeySettings,
  };
  return (fn) => ({
    ...config.powertoolsSettings,
    ...lambdaProvided(config.region, roles[fn], endpoints),
    ...functionEnvironment(API_FUNCTIONS[fn].rights, resources),
  });
}

interface LocalEndpoints {
  readonly kms: string;
  readonly dynamoDb: string;
}

/**
 * What Lambda sets in every function's environment besides its configuration: the region and the
 * credentials of the function's role. Locally, the SDK's endpoints lead to the emulators, and
 * tracing is off, with no X-Ray daemon to send to.
 */
function lambdaProvided(region: string, role: LocalIdentity, endpoints: LocalEndpoints): Record<string, string> {
  return {
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: role.accessKeyId,
    AWS_SECRET_ACCESS_KEY: role.secretAccessKey,
    ...(role.sessionToken !== undefined && { AWS_SESSION_TOKEN: role.sessionToken }),
    AWS_ENDPOINT_URL_KMS: endpoints.kms,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamoDb,
    POWERTOOLS_TRACE_ENABLED: 'false',
  };
}

/** DynamoDB's answer for a table whose key is not usable ("Encryption at rest: how it works": the table becomes inaccessible). */
function tableInaccessible(table: string, keyState: string | undefined): string | undefined {
  if (keyState === 'Enabled') return undefined;
  return `KMS key access denied error: the KMS key of table ${table} is ${keyState === undefined ? 'deleted' : keyState}.`;
}

/**
 * DynamoDB Local, a java process, would only log a taken port, and whatever holds the port might
 * even answer its readiness check: the port is tried first, as the runtime's own servers try theirs.
 */
async function ensurePortFree(port: number): Promise<void> {
  const probe = createServer();
  await listen(probe, port);
  await closeServer(probe);
}

async function withClient<C extends { destroy(): void }, T>(client: C, use: (client: C) => Promise<T>): Promise<T> {
  try {
    return await use(client);
  } finally {
    client.destroy();
  }
}

/**
 * Points the AWS SDK at the local services, with throwaway credentials so that no real
 * credential from the developer's environment is ever sent, even to localhost. The throwaway
 * credentials belong to no local identity: whatever uses them is refused.
 */
function useLocalAws(region: string, kmsUrl: string, dynamoDbUrl: string): void {
  Object.assign(process.env, {
    AWS_REGION: region,
    AWS_ENDPOINT_URL_KMS: kmsUrl,
    AWS_ENDPOINT_URL_DYNAMODB: dynamoDbUrl,
    AWS_ACCESS_KEY_ID: 'LOCALNOBODY000000000',
    AWS_SECRET_ACCESS_KEY: 'local-throwaway-secret',
  });
  for (const name of ['AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_ENDPOINT_URL']) delete process.env[name];
}

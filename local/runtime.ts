import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { API_ROUTES, HANDLER_ENV } from '../lambdas/routes.js';
import { ensureTable, startDynamoDb, type DynamoDbEngine } from './dynamodb.js';
import { startLocalGateway } from './gateway/server.js';
import { loadHandlers } from './handlers.js';
import { loadPrincipals, type LocalPrincipal } from './gateway/principals.js';
import { SigV4Verifier } from './gateway/sigv4-verifier.js';
import { startKmsEmulator } from './kms-emulator/server.js';
import { ensureMasterKey } from './master-key-bootstrap.js';

export interface LocalRuntimeConfig {
  readonly port: number;
  readonly kmsPort: number;
  readonly dynamoDbPort: number;
  readonly region: string;
  readonly dataDir: string;
  readonly dynamoDbEngine: DynamoDbEngine;
  readonly principalsFile?: string;
}

export interface LocalRuntime {
  readonly apiUrl: string;
  readonly kmsUrl: string;
  readonly dynamoDbUrl: string;
  readonly masterKeyArn: string;
  readonly principals: readonly LocalPrincipal[];
  /** Calls the emulators received, per operation: what the service cost in KMS and DynamoDB. */
  readonly calls: { readonly kms: Readonly<Record<string, number>>; readonly dynamoDb: Readonly<Record<string, number>> };
  resetCalls(): void;
  close(): Promise<void>;
}

export const MASTER_KEY_ALIAS = 'alias/envelope-api';
export const LOCAL_TABLE_NAME = 'envelope-api-data-keys';

/** Reads the runtime's settings from the environment, with the documented defaults. */
export function configFromEnv(env = process.env): LocalRuntimeConfig {
  const engine = env.ENVELOPE_DYNAMODB_ENGINE ?? 'dynalite';
  if (engine !== 'dynalite' && engine !== 'dynamodb-local') {
    throw new Error(`ENVELOPE_DYNAMODB_ENGINE must be dynalite or dynamodb-local, not ${engine}.`);
  }
  return {
    port: Number(env.PORT ?? 3000),
    kmsPort: Number(env.KMS_PORT ?? 3001),
    dynamoDbPort: Number(env.DYNAMODB_PORT ?? 3002),
    region: env.AWS_REGION ?? 'us-east-1',
    dataDir: resolve(env.ENVELOPE_DATA_DIR ?? '.envelope'),
    dynamoDbEngine: engine,
    principalsFile: env.ENVELOPE_PRINCIPALS,
  };
}

/**
 * Runs the whole service on 127.0.0.1: the KMS emulator, DynamoDB, and the handlers behind a
 * SigV4-verifying gateway. The handlers reach KMS and DynamoDB through the AWS SDK exactly as in
 * Lambda; only the SDK's endpoint settings point at the local services.
 */
export async function startLocalRuntime(config: LocalRuntimeConfig): Promise<LocalRuntime> {
  await mkdir(config.dataDir, { recursive: true });
  const principals = await loadPrincipals(config.principalsFile);
  const kms = await startKmsEmulator({ port: config.kmsPort, region: config.region, dataFile: join(config.dataDir, 'kms.json') });
  const dynamoDb = await startDynamoDb(config.dynamoDbEngine, config.dynamoDbPort, config.dataDir);
  const closeBackends = async () => {
    await Promise.allSettled([kms.close(), dynamoDb.close()]);
  };
  try {
    useLocalAws(config.region, kms.url, dynamoDb.url);
    const dynamoDbClient = new DynamoDBClient({});
    await ensureTable(dynamoDbClient, LOCAL_TABLE_NAME);
    dynamoDbClient.destroy();
    const kmsClient = new KMSClient({});
    const masterKeyArn = await ensureMasterKey(kmsClient, MASTER_KEY_ALIAS);
    kmsClient.destroy();
    process.env[HANDLER_ENV.tableName] = LOCAL_TABLE_NAME;
    process.env[HANDLER_ENV.masterKeyArn] = masterKeyArn;

    const gateway = await startLocalGateway({
      routes: API_ROUTES,
      handlers: await loadHandlers(),
      verifier: new SigV4Verifier(principals, config.region),
      port: config.port,
    });
    return {
      apiUrl: gateway.url, kmsUrl: kms.url, dynamoDbUrl: dynamoDb.url, masterKeyArn, principals,
      calls: { kms: kms.callCounts, dynamoDb: dynamoDb.callCounts },
      resetCalls: () => {
        kms.resetCallCounts();
        dynamoDb.resetCallCounts();
      },
      close: async () => {
        await gateway.close();
        await closeBackends();
      },
    };
  } catch (error) {
    await closeBackends();
    throw error;
  }
}

/**
 * Points the AWS SDK at the local services, with throwaway credentials so that no real
 * credential from the developer's environment is ever sent, even to localhost.
 */
function useLocalAws(region: string, kmsUrl: string, dynamoDbUrl: string): void {
  Object.assign(process.env, {
    AWS_REGION: region,
    AWS_ENDPOINT_URL_KMS: kmsUrl,
    AWS_ENDPOINT_URL_DYNAMODB: dynamoDbUrl,
    AWS_ACCESS_KEY_ID: 'LOCALSERVICEROLE0000',
    AWS_SECRET_ACCESS_KEY: 'local-service-role-secret',
  });
  for (const name of ['AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_ENDPOINT_URL']) delete process.env[name];
}

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DataKeyStore } from '../domain/data-key-store.js';
import { EnvelopeEncryption } from '../domain/envelope-encryption.js';
import { KeyManagement } from '../domain/key-management.js';
import { MasterKey } from '../domain/master-key.js';
import { HANDLER_ENV } from '../routes.js';

/**
 * The domain services, wired once per execution environment from the environment. Endpoints come
 * from the SDK's own configuration (AWS_ENDPOINT_URL_KMS, AWS_ENDPOINT_URL_DYNAMODB locally).
 */
function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Environment variable ${name} is not set.`);
  return value;
}

let masterKey: MasterKey | undefined;
let store: DataKeyStore | undefined;

export function getMasterKey(): MasterKey {
  masterKey ??= new MasterKey(new KMSClient({}), requiredEnv(HANDLER_ENV.masterKeyArn));
  return masterKey;
}

export function getStore(): DataKeyStore {
  const documentClient = () =>
    DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
  store ??= new DataKeyStore(documentClient(), requiredEnv(HANDLER_ENV.tableName));
  return store;
}

export const keyManagement = (): KeyManagement => new KeyManagement(getStore(), getMasterKey());
export const envelopeEncryption = (): EnvelopeEncryption => new EnvelopeEncryption(getStore(), getMasterKey());

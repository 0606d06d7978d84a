import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { cacheLimitsFromEnv } from '../domain/data-key-provider.js';
import { DataKeyStore } from '../domain/data-key-store.js';
import { EnvelopeEncryption } from '../domain/envelope-encryption.js';
import { KeyManagement } from '../domain/key-management.js';
import { awsClientConfig, getMasterKey, once, requiredEnv } from './master-key-service.js';
import { HANDLER_ENV } from '../routes.js';

/**
 * The domain services, wired once per execution environment, so that caches live as long as the
 * environment. Endpoints come from the SDK's own configuration (AWS_ENDPOINT_URL_KMS and
 * AWS_ENDPOINT_URL_DYNAMODB locally).
 */
export const getDynamoDb = once(() => new DynamoDBClient(awsClientConfig()));
export const getTableName = () => requiredEnv(HANDLER_ENV.tableName);

const getStore = once(() => {
  const db = DynamoDBDocumentClient.from(getDynamoDb(), { marshallOptions: { removeUndefinedValues: true } });
  return new DataKeyStore(db, getTableName());
});

/** `ENVELOPE_MAX_KEYS_PER_PRINCIPAL`: the key quota per principal (default 1000). */
function maxKeysPerPrincipal(): number | undefined {
  const raw = process.env.ENVELOPE_MAX_KEYS_PER_PRINCIPAL;
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`ENVELOPE_MAX_KEYS_PER_PRINCIPAL must be a positive integer, not ${raw}.`);
  return value;
}

export const keyManagement = once(() => new KeyManagement(getStore(), getMasterKey(), { maxKeysPerPrincipal: maxKeysPerPrincipal() }));

export const envelopeEncryption = once(() => EnvelopeEncryption.over(getStore(), getMasterKey(), cacheLimitsFromEnv()));

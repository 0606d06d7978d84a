/**
 * The domain services, wired once per execution environment, so that caches live as long as the
 * environment. Endpoints come from the SDK's own configuration (AWS_ENDPOINT_URL_KMS and
 * AWS_ENDPOINT_URL_DYNAMODB locally).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DataKeyStore } from '../domain/data-key-store.js';
import { DataKeyProvider } from '../domain/data-key-provider.js';
import { EnvelopeEncryption, storedDataKeys } from '../domain/envelope-encryption.js';
import { GrantManagement } from '../domain/grant-management.js';
import { KeyDirectory } from '../domain/key-directory.js';
import { KeyManagement } from '../domain/key-management.js';
import { VersionUsage } from '../domain/version-usage.js';
import { dataKeyConfig } from '../config.js';
import { awsClientConfig, getMasterKey, once } from './master-key-service.js';
import { observeDataKeyCache, observeDynamoDbCall, traced } from './observability.js';

export const getConfig = once(dataKeyConfig);
/** Traced in Lambda (a subsegment per call), as the document client over it and idempotency's store. */
export const getDynamoDb = once(() => traced(new DynamoDBClient(awsClientConfig())));
export const getTableName = () => getConfig().tableName;

const getStore = once(() => {
  const db = DynamoDBDocumentClient.from(getDynamoDb(), { marshallOptions: { removeUndefinedValues: true } });
  return new DataKeyStore(db, getTableName(), observeDynamoDbCall);
});

export const keyManagement = once(() => new KeyManagement(getStore(), getMasterKey(), { maxKeysPerPrincipal: getConfig().maxKeysPerPrincipal }));

export const grantManagement = once(() => new GrantManagement(getStore()));

/** As `EnvelopeEncryption.over` wires it, with the data-key cache's hits and misses counted. */
export const envelopeEncryption = once(() => {
  const limits = getConfig().cache;
  const keys = new KeyDirectory(getStore(), { maxAgeMs: limits.maxAgeSeconds * 1000, maxEntries: limits.maxEntries });
  const dataKeys = new DataKeyProvider(storedDataKeys(getStore(), getMasterKey()), limits, observeDataKeyCache);
  return new EnvelopeEncryption(keys, dataKeys, undefined, new VersionUsage(getStore()));
});

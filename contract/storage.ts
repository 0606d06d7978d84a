/** The DynamoDB table's key schema: one table with string partition and sort keys, and a TTL attribute. */
export const TABLE_SCHEMA = { partitionKey: 'pk', sortKey: 'sk', timeToLiveAttribute: 'expiresAt' } as const;

/** Encryption-context keys the service sets on every KMS call (key policies condition on them). */
export const KMS_CONTEXT_KEYS = { dataKeyId: 'dataKeyId', dataKeyVersion: 'dataKeyVersion' } as const;

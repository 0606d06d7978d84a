/** The DynamoDB table's key schema: one table with string partition and sort keys, and a TTL attribute. */
export const TABLE_SCHEMA = { partitionKey: 'pk', sortKey: 'sk', timeToLiveAttribute: 'expiresAt' } as const;

/**
 * The one attribute the crypto function may write: a version item's last-use hour. Its role may
 * update no other (`dynamodb:Attributes`), so it can never change a wrapped key, a policy or a state.
 */
export const VERSION_LAST_USED_ATTRIBUTE = 'lastUsedAt';

/** Encryption-context keys the service sets on every KMS call (key policies condition on them). */
export const KMS_CONTEXT_KEYS = { dataKeyId: 'dataKeyId', dataKeyVersion: 'dataKeyVersion' } as const;

/**
 * The item the operators' dependency check reads, and nobody writes. Its partition key is the only
 * one the operator function's role may read (`dynamodb:LeadingKeys`), so the check proves the
 * table and its storage key are usable without the role being able to read any data key.
 */
export const HEALTH_PROBE_ITEM = { partitionKey: 'HEALTH#probe', sortKey: 'HEALTH#probe' } as const;

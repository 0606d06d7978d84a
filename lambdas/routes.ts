/**
 * The REST API's resources and methods, shared by the CDK API construct and the local gateway
 * so that both expose exactly the same surface and route to the same handler.
 */
export type ApiFunctionName = 'keys' | 'crypto' | 'masterKey' | 'health';

export interface ApiRoute {
  readonly method: 'GET' | 'POST' | 'PUT';
  /** API Gateway resource path, with `{param}` placeholders. */
  readonly resource: string;
  readonly function: ApiFunctionName;
  /** Whether callers must sign with SigV4 (IAM auth). */
  readonly iamAuth: boolean;
  /** Caller-facing group, used to build the managed policies teams attach to their roles. */
  readonly audience: 'keyManagers' | 'dataUsers' | 'public' | 'operators';
  /** The request must carry a JSON object body (checked at the gateway before any function runs). */
  readonly jsonBody?: true;
}

export const API_ROUTES: readonly ApiRoute[] = [
  { method: 'GET', resource: '/v1/health', function: 'health', iamAuth: false, audience: 'public' },
  { method: 'POST', resource: '/v1/keys', function: 'keys', iamAuth: true, audience: 'keyManagers' },
  { method: 'GET', resource: '/v1/keys', function: 'keys', iamAuth: true, audience: 'keyManagers' },
  { method: 'GET', resource: '/v1/keys/{key}', function: 'keys', iamAuth: true, audience: 'keyManagers' },
  { method: 'PUT', resource: '/v1/keys/{key}/policy', function: 'keys', iamAuth: true, audience: 'keyManagers', jsonBody: true },
  { method: 'POST', resource: '/v1/keys/{key}/rotate', function: 'keys', iamAuth: true, audience: 'keyManagers' },
  { method: 'POST', resource: '/v1/keys/{key}/disable', function: 'keys', iamAuth: true, audience: 'keyManagers' },
  { method: 'POST', resource: '/v1/keys/{key}/enable', function: 'keys', iamAuth: true, audience: 'keyManagers' },
  { method: 'POST', resource: '/v1/keys/{key}/schedule-deletion', function: 'keys', iamAuth: true, audience: 'keyManagers' },
  { method: 'POST', resource: '/v1/keys/{key}/cancel-deletion', function: 'keys', iamAuth: true, audience: 'keyManagers' },
  { method: 'POST', resource: '/v1/encrypt', function: 'crypto', iamAuth: true, audience: 'dataUsers', jsonBody: true },
  { method: 'POST', resource: '/v1/decrypt', function: 'crypto', iamAuth: true, audience: 'dataUsers', jsonBody: true },
  { method: 'POST', resource: '/v1/rewrap', function: 'crypto', iamAuth: true, audience: 'dataUsers', jsonBody: true },
  { method: 'GET', resource: '/v1/master-key', function: 'masterKey', iamAuth: true, audience: 'operators' },
];

/** Lambda entry files, relative to the repository root, one per function. */
export const FUNCTION_ENTRIES: Record<ApiFunctionName, string> = {
  keys: 'lambdas/keys.ts',
  crypto: 'lambdas/crypto.ts',
  masterKey: 'lambdas/master-key.ts',
  health: 'lambdas/health.ts',
};

/** Each function's timeout: Lambda stops an invocation there, whatever it was doing. */
export const FUNCTION_TIMEOUT_SECONDS: Record<ApiFunctionName, number> = { keys: 10, crypto: 29, masterKey: 10, health: 3 };

/** Encryption-context keys the service sets on every KMS call (key policies condition on them). */
export const KMS_CONTEXT_KEYS = { dataKeyId: 'dataKeyId', dataKeyVersion: 'dataKeyVersion' } as const;

/** The DynamoDB table's key schema: a single table with string partition and sort keys. */
export const TABLE_SCHEMA = { partitionKey: 'pk', sortKey: 'sk', timeToLiveAttribute: 'expiresAt' } as const;

/** Environment variables the handlers read. Values carry only ids and names. */
export const HANDLER_ENV = {
  tableName: 'TABLE_NAME',
  masterKeyArn: 'MASTER_KEY_ARN',
} as const;

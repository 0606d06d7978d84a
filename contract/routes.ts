/**
 * The REST API's resources and methods. The CDK API construct, the local gateway, the handlers and
 * the client all read this table, so every one of them exposes or calls exactly this surface.
 */
export type ApiFunctionName = 'keys' | 'crypto' | 'masterKey' | 'health';

export interface ApiRoute {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway resource path, with `{param}` placeholders. */
  readonly resource: string;
  /** The Lambda function that serves the route. */
  readonly function: ApiFunctionName;
  /** Whether callers must sign with SigV4 (IAM auth). */
  readonly iamAuth: boolean;
  /** Caller-facing group, used to build the managed policies teams attach to their roles. */
  readonly audience: 'keyManagers' | 'dataUsers' | 'public' | 'operators';
  /** The request must carry a JSON object body (checked at the gateway before any function runs). */
  readonly jsonBody?: true;
  /** The operation's name, in the OpenAPI document and in audit records. */
  readonly operationId: string;
  /**
   * Takes an `Idempotency-Key` header: a retry with the same key and request gets the first
   * outcome, and the change is made once (see lambdas/http/idempotency.ts). The function, the
   * OpenAPI document and the client all read it from here.
   */
  readonly idempotent?: true;
}

export const API_ROUTES = [
  { method: 'GET', resource: '/v1/health', operationId: 'health', function: 'health', iamAuth: false, audience: 'public' },
  { method: 'GET', resource: '/v1/openapi.json', operationId: 'openApiDocument', function: 'health', iamAuth: false, audience: 'public' },
  { method: 'POST', resource: '/v1/keys', operationId: 'createKey', function: 'keys', iamAuth: true, audience: 'keyManagers', idempotent: true },
  { method: 'GET', resource: '/v1/keys', operationId: 'listKeys', function: 'keys', iamAuth: true, audience: 'keyManagers' },
  { method: 'GET', resource: '/v1/keys/{key}', operationId: 'getKey', function: 'keys', iamAuth: true, audience: 'keyManagers' },
  {
    method: 'PUT',
    resource: '/v1/keys/{key}/policy',
    operationId: 'putKeyPolicy',
    function: 'keys',
    iamAuth: true,
    audience: 'keyManagers',
    jsonBody: true,
    idempotent: true,
  },
  {
    method: 'PUT',
    resource: '/v1/keys/{key}/tags',
    operationId: 'putKeyTags',
    function: 'keys',
    iamAuth: true,
    audience: 'keyManagers',
    jsonBody: true,
    idempotent: true,
  },
  {
    method: 'POST',
    resource: '/v1/keys/{key}/grants',
    operationId: 'createGrant',
    function: 'keys',
    iamAuth: true,
    audience: 'keyManagers',
    jsonBody: true,
    idempotent: true,
  },
  { method: 'GET', resource: '/v1/keys/{key}/grants', operationId: 'listGrants', function: 'keys', iamAuth: true, audience: 'keyManagers' },
  {
    method: 'DELETE',
    resource: '/v1/keys/{key}/grants/{grantId}',
    operationId: 'revokeGrant',
    function: 'keys',
    iamAuth: true,
    audience: 'keyManagers',
    idempotent: true,
  },
  {
    method: 'POST',
    resource: '/v1/grants/{grantId}/retire',
    operationId: 'retireGrant',
    function: 'keys',
    iamAuth: true,
    audience: 'dataUsers',
    idempotent: true,
  },
  {
    method: 'POST',
    resource: '/v1/keys/{key}/rotate',
    operationId: 'rotateKey',
    function: 'keys',
    iamAuth: true,
    audience: 'keyManagers',
    idempotent: true,
  },
  {
    method: 'POST',
    resource: '/v1/keys/{key}/disable',
    operationId: 'disableKey',
    function: 'keys',
    iamAuth: true,
    audience: 'keyManagers',
    idempotent: true,
  },
  {
    method: 'POST',
    resource: '/v1/keys/{key}/enable',
    operationId: 'enableKey',
    function: 'keys',
    iamAuth: true,
    audience: 'keyManagers',
    idempotent: true,
  },
  {
    method: 'POST',
    resource: '/v1/keys/{key}/schedule-deletion',
    operationId: 'scheduleKeyDeletion',
    function: 'keys',
    iamAuth: true,
    audience: 'keyManagers',
    idempotent: true,
  },
  {
    method: 'POST',
    resource: '/v1/keys/{key}/cancel-deletion',
    operationId: 'cancelKeyDeletion',
    function: 'keys',
    iamAuth: true,
    audience: 'keyManagers',
    idempotent: true,
  },
  {
    method: 'PUT',
    resource: '/v1/keys/{key}/min-decryption-version',
    operationId: 'retireKeyVersions',
    function: 'keys',
    iamAuth: true,
    audience: 'keyManagers',
    jsonBody: true,
    idempotent: true,
  },
  {
    method: 'POST',
    resource: '/v1/keys/{key}/schedule-version-destruction',
    operationId: 'scheduleKeyVersionDestruction',
    function: 'keys',
    iamAuth: true,
    audience: 'keyManagers',
    idempotent: true,
  },
  {
    method: 'POST',
    resource: '/v1/keys/{key}/cancel-version-destruction',
    operationId: 'cancelKeyVersionDestruction',
    function: 'keys',
    iamAuth: true,
    audience: 'keyManagers',
    idempotent: true,
  },
  { method: 'POST', resource: '/v1/encrypt', operationId: 'encrypt', function: 'crypto', iamAuth: true, audience: 'dataUsers', jsonBody: true },
  { method: 'POST', resource: '/v1/decrypt', operationId: 'decrypt', function: 'crypto', iamAuth: true, audience: 'dataUsers', jsonBody: true },
  { method: 'POST', resource: '/v1/rewrap', operationId: 'rewrap', function: 'crypto', iamAuth: true, audience: 'dataUsers', jsonBody: true },
  {
    method: 'POST',
    resource: '/v1/data-keys',
    operationId: 'generateDataKey',
    function: 'crypto',
    iamAuth: true,
    audience: 'dataUsers',
    jsonBody: true,
  },
  { method: 'GET', resource: '/v1/master-key', operationId: 'getMasterKeyStatus', function: 'masterKey', iamAuth: true, audience: 'operators' },
  {
    method: 'GET',
    resource: '/v1/health/dependencies',
    operationId: 'checkDependencies',
    function: 'masterKey',
    iamAuth: true,
    audience: 'operators',
  },
] as const satisfies readonly ApiRoute[];

type DeclaredRoute = (typeof API_ROUTES)[number];

/** A route's name as API Gateway gives it to the function: `METHOD /resource`. */
export type RouteName<F extends ApiFunctionName = ApiFunctionName> = DeclaredRoute extends infer R
  ? R extends { readonly method: infer M extends string; readonly resource: infer P extends string; readonly function: F }
    ? `${M} ${P}`
    : never
  : never;

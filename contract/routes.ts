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
}

export const API_ROUTES = [
  { method: 'GET', resource: '/v1/health', function: 'health', iamAuth: false, audience: 'public' },
  { method: 'GET', resource: '/v1/openapi.json', function: 'health', iamAuth: false, audience: 'public' },
  { method: 'POST', resource: '/v1/keys', function: 'keys', iamAuth: true, audience: 'keyManagers' },
  { method: 'GET', resource: '/v1/keys', function: 'keys', iamAuth: true, audience: 'keyManagers' },
  { method: 'GET', resource: '/v1/keys/{key}', function: 'keys', iamAuth: true, audience: 'keyManagers' },
  { method: 'PUT', resource: '/v1/keys/{key}/policy', function: 'keys', iamAuth: true, audience: 'keyManagers', jsonBody: true },
  { method: 'PUT', resource: '/v1/keys/{key}/tags', function: 'keys', iamAuth: true, audience: 'keyManagers', jsonBody: true },
  { method: 'POST', resource: '/v1/keys/{key}/grants', function: 'keys', iamAuth: true, audience: 'keyManagers', jsonBody: true },
  { method: 'GET', resource: '/v1/keys/{key}/grants', function: 'keys', iamAuth: true, audience: 'keyManagers' },
  { method: 'DELETE', resource: '/v1/keys/{key}/grants/{grantId}', function: 'keys', iamAuth: true, audience: 'keyManagers' },
  { method: 'POST', resource: '/v1/grants/{grantId}/retire', function: 'keys', iamAuth: true, audience: 'dataUsers' },
  { method: 'POST', resource: '/v1/keys/{key}/rotate', function: 'keys', iamAuth: true, audience: 'keyManagers' },
  { method: 'POST', resource: '/v1/keys/{key}/disable', function: 'keys', iamAuth: true, audience: 'keyManagers' },
  { method: 'POST', resource: '/v1/keys/{key}/enable', function: 'keys', iamAuth: true, audience: 'keyManagers' },
  { method: 'POST', resource: '/v1/keys/{key}/schedule-deletion', function: 'keys', iamAuth: true, audience: 'keyManagers' },
  { method: 'POST', resource: '/v1/keys/{key}/cancel-deletion', function: 'keys', iamAuth: true, audience: 'keyManagers' },
  { method: 'POST', resource: '/v1/encrypt', function: 'crypto', iamAuth: true, audience: 'dataUsers', jsonBody: true },
  { method: 'POST', resource: '/v1/decrypt', function: 'crypto', iamAuth: true, audience: 'dataUsers', jsonBody: true },
  { method: 'POST', resource: '/v1/rewrap', function: 'crypto', iamAuth: true, audience: 'dataUsers', jsonBody: true },
  { method: 'POST', resource: '/v1/data-keys', function: 'crypto', iamAuth: true, audience: 'dataUsers', jsonBody: true },
  { method: 'GET', resource: '/v1/master-key', function: 'masterKey', iamAuth: true, audience: 'operators' },
] as const satisfies readonly ApiRoute[];

type DeclaredRoute = (typeof API_ROUTES)[number];

/** A route's name as API Gateway gives it to the function: `METHOD /resource`. */
export type RouteName<F extends ApiFunctionName = ApiFunctionName> = DeclaredRoute extends infer R
  ? R extends { readonly method: infer M extends string; readonly resource: infer P extends string; readonly function: F }
    ? `${M} ${P}`
    : never
  : never;

import { apiHandler } from './http/api-handler.js';
import { dependencyHealthResponse } from './http/dependency-health.js';
import { jsonResponse } from './http/responses.js';
import { getMasterKey } from './http/master-key-service.js';

/** The operators' function: the master key's state and rotation settings, straight from KMS, and the dependencies' health. */
export const handler = apiHandler<'masterKey'>({
  'GET /v1/master-key': async () => jsonResponse(200, await getMasterKey().status()),
  'GET /v1/health/dependencies': dependencyHealthResponse,
});

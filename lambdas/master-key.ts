import { apiHandler } from './http/api-handler.js';
import { jsonResponse } from './http/responses.js';
import { getMasterKey } from './http/master-key-service.js';

/** The master key's state and rotation settings, straight from KMS. */
export const handler = apiHandler<'masterKey'>({
  'GET /v1/master-key': async () => jsonResponse(200, await getMasterKey().status()),
});

import { apiHandler, type ApiRequest } from './http/api-handler.js';
import { parseInput } from './http/request.js';
import { jsonResponse } from './http/responses.js';
import { CreateKeyBody, EmptyBody, ListKeysQuery, PutPolicyBody, ScheduleDeletionBody } from './http/schemas.js';
import { keyManagement } from './http/services.js';

/** Data-key management: create, list, describe, policy, rotation and lifecycle. */
const keyRef = ({ path }: ApiRequest): string => path.key ?? '';
const ok = (body: unknown) => jsonResponse(200, body);

export const handler = apiHandler({
  'POST /v1/keys': async (request) =>
    jsonResponse(201, await keyManagement().createKey(request.caller, parseInput(CreateKeyBody, request.body, 'body'))),

  'GET /v1/keys': async (request) => {
    const { limit, nextToken } = parseInput(ListKeysQuery, request.query, 'query');
    return ok(await keyManagement().listKeys(request.caller, limit, nextToken));
  },

  'GET /v1/keys/{key}': async (request) => ok(await keyManagement().describeKey(request.caller, keyRef(request))),

  'PUT /v1/keys/{key}/policy': async (request) =>
    ok(await keyManagement().putPolicy(request.caller, keyRef(request), parseInput(PutPolicyBody, request.body, 'body'))),

  'POST /v1/keys/{key}/rotate': async (request) => {
    parseInput(EmptyBody, request.body, 'body');
    return ok(await keyManagement().rotateKey(request.caller, keyRef(request)));
  },

  'POST /v1/keys/{key}/disable': async (request) => {
    parseInput(EmptyBody, request.body, 'body');
    return ok(await keyManagement().disableKey(request.caller, keyRef(request)));
  },

  'POST /v1/keys/{key}/enable': async (request) => {
    parseInput(EmptyBody, request.body, 'body');
    return ok(await keyManagement().enableKey(request.caller, keyRef(request)));
  },

  'POST /v1/keys/{key}/schedule-deletion': async (request) => {
    const { pendingWindowInDays } = parseInput(ScheduleDeletionBody, request.body, 'body');
    return ok(await keyManagement().scheduleDeletion(request.caller, keyRef(request), pendingWindowInDays));
  },

  'POST /v1/keys/{key}/cancel-deletion': async (request) => {
    parseInput(EmptyBody, request.body, 'body');
    return ok(await keyManagement().cancelDeletion(request.caller, keyRef(request)));
  },
});

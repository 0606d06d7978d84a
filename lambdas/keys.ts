/** Data-key management: create, list, describe, policy, rotation and lifecycle. */
import type { DataKeyMetadata } from './domain/data-key.js';
import type { KeyManagement } from './domain/key-management.js';
import { ServiceError } from './domain/errors.js';
import { apiHandler, type ApiRequest, type Route } from './http/api-handler.js';
import { parseInput } from './http/request.js';
import { jsonResponse, noContent } from './http/responses.js';
import {
  CreateGrantBody,
  CreateKeyBody,
  EmptyBody,
  ListGrantsQuery,
  ListKeysQuery,
  PutPolicyBody,
  ScheduleDeletionBody,
  TagsBody,
} from './http/schemas.js';
import { retryable } from './http/idempotency.js';
import { getDynamoDb, getTableName, grantManagement, keyManagement } from './http/services.js';

/**
 * The `{key}` path parameter, decoded here and only here: API Gateway REST hands path parameters
 * over as they arrived, percent-encoded (`alias%2Fname`), and the local gateway does the same.
 */
const keyRef = ({ path }: ApiRequest): string => {
  try {
    return decodeURIComponent(path.key ?? '');
  } catch {
    throw new ServiceError('ValidationError', 'key: the path is not valid percent-encoding.');
  }
};

/** A route on one key that takes no body: `POST /v1/keys/{key}/rotate` and friends. */
const onKey =
  (action: (keys: KeyManagement, caller: string, key: string) => Promise<DataKeyMetadata>): Route =>
  async (request) => {
    parseInput(EmptyBody, request.body, 'body');
    return jsonResponse(200, await action(keyManagement(), request.caller, keyRef(request)));
  };

// Every route that changes state is safely retryable with an `Idempotency-Key` header.
export const handler = apiHandler<'keys'>(
  retryable(
    {
      'POST /v1/keys': async (request) =>
        jsonResponse(201, await keyManagement().createKey(request.caller, parseInput(CreateKeyBody, request.body, 'body'))),

      'GET /v1/keys': async (request) => {
        const { limit, nextToken, tag } = parseInput(ListKeysQuery, request.query, 'query');
        return jsonResponse(200, await keyManagement().listKeys(request.caller, limit, nextToken, tag));
      },

      'GET /v1/keys/{key}': onKey((keys, caller, key) => keys.describeKey(caller, key)),

      'PUT /v1/keys/{key}/policy': async (request) => {
        const { bypassLockoutSafetyCheck, ...policy } = parseInput(PutPolicyBody, request.body, 'body');
        return jsonResponse(200, await keyManagement().putPolicy(request.caller, keyRef(request), policy, bypassLockoutSafetyCheck));
      },

      'PUT /v1/keys/{key}/tags': async (request) => {
        const { tags } = parseInput(TagsBody, request.body, 'body');
        return jsonResponse(200, await keyManagement().putTags(request.caller, keyRef(request), tags));
      },

      'POST /v1/keys/{key}/grants': async (request) =>
        jsonResponse(201, await grantManagement().createGrant(request.caller, keyRef(request), parseInput(CreateGrantBody, request.body, 'body'))),

      'GET /v1/keys/{key}/grants': async (request) => {
        const { limit, nextToken } = parseInput(ListGrantsQuery, request.query, 'query');
        return jsonResponse(200, await grantManagement().listGrants(request.caller, keyRef(request), limit, nextToken));
      },

      'DELETE /v1/keys/{key}/grants/{grantId}': async (request) => {
        await grantManagement().revokeGrant(request.caller, keyRef(request), request.path.grantId ?? '');
        return noContent();
      },

      'POST /v1/grants/{grantId}/retire': async (request) => {
        parseInput(EmptyBody, request.body, 'body');
        await grantManagement().retireGrant(request.caller, request.path.grantId ?? '');
        return noContent();
      },

      'POST /v1/keys/{key}/rotate': onKey((keys, caller, key) => keys.rotateKey(caller, key)),
      'POST /v1/keys/{key}/disable': onKey((keys, caller, key) => keys.disableKey(caller, key)),
      'POST /v1/keys/{key}/enable': onKey((keys, caller, key) => keys.enableKey(caller, key)),
      'POST /v1/keys/{key}/cancel-deletion': onKey((keys, caller, key) => keys.cancelDeletion(caller, key)),

      'POST /v1/keys/{key}/schedule-deletion': async (request) => {
        const { pendingWindowInDays } = parseInput(ScheduleDeletionBody, request.body, 'body');
        return jsonResponse(200, await keyManagement().scheduleDeletion(request.caller, keyRef(request), pendingWindowInDays));
      },
    },
    getDynamoDb,
    getTableName,
  ),
);

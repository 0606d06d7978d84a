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
  KeyReference,
  ListGrantsQuery,
  ListKeysQuery,
  PutPolicyBody,
  RetireVersionsBody,
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
  let decoded: string;
  try {
    decoded = decodeURIComponent(path.key ?? '');
  } catch {
    throw new ServiceError('ValidationError', 'key: the path is not valid percent-encoding.');
  }
  return parseInput(KeyReference, decoded, 'key');
};

/** Reports the key an answer describes to the request's audit record, and the version it created. */
const reported = <M extends DataKeyMetadata>(request: ApiRequest, metadata: M, createdVersion?: number): M => {
  request.audit.keyUsed({ keyId: metadata.keyId, keyVersion: createdVersion }).aliasSet(metadata.alias);
  return metadata;
};

/** A route on one key that takes no body: `POST /v1/keys/{key}/rotate` and friends. */
const onKey =
  (action: (keys: KeyManagement, caller: string, key: string, change: ApiRequest['change']) => Promise<DataKeyMetadata>): Route =>
  async (request) => {
    parseInput(EmptyBody, request.body, 'body');
    return jsonResponse(200, reported(request, await action(keyManagement(), request.caller, keyRef(request), request.change)));
  };

// Every route that changes state is safely retryable with an `Idempotency-Key` header.
export const handler = apiHandler<'keys'>(
  retryable(
    {
      'POST /v1/keys': async (request) => {
        const created = await keyManagement().createKey(request.caller, parseInput(CreateKeyBody, request.body, 'body'), request.change);
        return jsonResponse(201, reported(request, created, created.currentVersion));
      },

      'GET /v1/keys': async (request) => {
        const { limit, nextToken, tag } = parseInput(ListKeysQuery, request.query, 'query');
        return jsonResponse(200, await keyManagement().listKeys(request.caller, limit, nextToken, tag));
      },

      'GET /v1/keys/{key}': onKey((keys, caller, key) => keys.describeKey(caller, key)),

      'PUT /v1/keys/{key}/policy': async (request) => {
        const { bypassLockoutSafetyCheck, ...policy } = parseInput(PutPolicyBody, request.body, 'body');
        request.audit.changed({ admins: policy.admins, users: policy.users });
        return jsonResponse(
          200,
          reported(request, await keyManagement().putPolicy(request.caller, keyRef(request), policy, bypassLockoutSafetyCheck, request.change)),
        );
      },

      'PUT /v1/keys/{key}/tags': async (request) => {
        const { tags } = parseInput(TagsBody, request.body, 'body');
        request.audit.changed({ tagKeys: Object.keys(tags) });
        return jsonResponse(200, reported(request, await keyManagement().putTags(request.caller, keyRef(request), tags, request.change)));
      },

      'POST /v1/keys/{key}/grants': async (request) => {
        const asked = parseInput(CreateGrantBody, request.body, 'body');
        request.audit.changed({ grantee: asked.grantee, operations: asked.operations });
        const grant = await grantManagement().createGrant(request.caller, keyRef(request), asked, request.change);
        request.audit.keyUsed({ keyId: grant.keyId }).changed({ grantId: grant.grantId, expiresAt: grant.expiresAt });
        return jsonResponse(201, grant);
      },

      'GET /v1/keys/{key}/grants': async (request) => {
        const { limit, nextToken } = parseInput(ListGrantsQuery, request.query, 'query');
        return jsonResponse(200, await grantManagement().listGrants(request.caller, keyRef(request), limit, nextToken));
      },

      'DELETE /v1/keys/{key}/grants/{grantId}': async (request) => {
        request.audit.grantNamed(request.path.grantId);
        await grantManagement().revokeGrant(request.caller, keyRef(request), request.path.grantId ?? '', request.change);
        return noContent();
      },

      'POST /v1/grants/{grantId}/retire': async (request) => {
        parseInput(EmptyBody, request.body, 'body');
        const grantId = request.path.grantId ?? '';
        request.audit.grantNamed(grantId);
        await grantManagement().retireGrant(request.caller, grantId, request.change);
        return noContent();
      },

      'POST /v1/keys/{key}/rotate': async (request) => {
        parseInput(EmptyBody, request.body, 'body');
        const rotated = await keyManagement().rotateKey(request.caller, keyRef(request), request.change);
        return jsonResponse(200, reported(request, rotated, rotated.createdVersion));
      },
      'POST /v1/keys/{key}/disable': onKey((keys, caller, key, change) => keys.disableKey(caller, key, change)),
      'POST /v1/keys/{key}/enable': onKey((keys, caller, key, change) => keys.enableKey(caller, key, change)),
      'POST /v1/keys/{key}/cancel-deletion': onKey((keys, caller, key, change) => keys.cancelDeletion(caller, key, change)),

      'PUT /v1/keys/{key}/min-decryption-version': async (request) => {
        const { minDecryptionVersion } = parseInput(RetireVersionsBody, request.body, 'body');
        request.audit.changed({ minDecryptionVersion });
        return jsonResponse(
          200,
          reported(request, await keyManagement().retireVersions(request.caller, keyRef(request), minDecryptionVersion, request.change)),
        );
      },

      'POST /v1/keys/{key}/schedule-version-destruction': async (request) => {
        const { pendingWindowInDays } = parseInput(ScheduleDeletionBody, request.body, 'body');
        const scheduled = reported(
          request,
          await keyManagement().scheduleVersionDestruction(request.caller, keyRef(request), pendingWindowInDays, request.change),
        );
        // A retry whose change was made answers the record as it is now, which a cancel may have changed since.
        const destruction = scheduled.versionDestruction;
        if (destruction) request.audit.changed({ destroyVersionsThrough: destruction.throughVersion, destructionDate: destruction.destructionDate });
        return jsonResponse(200, scheduled);
      },
      'POST /v1/keys/{key}/cancel-version-destruction': onKey((keys, caller, key, change) => keys.cancelVersionDestruction(caller, key, change)),

      'POST /v1/keys/{key}/schedule-deletion': async (request) => {
        const { pendingWindowInDays } = parseInput(ScheduleDeletionBody, request.body, 'body');
        const scheduled = reported(
          request,
          await keyManagement().scheduleDeletion(request.caller, keyRef(request), pendingWindowInDays, request.change),
        );
        request.audit.changed({ deletionDate: scheduled.deletionDate ?? '' });
        return jsonResponse(200, scheduled);
      },
    },
    getDynamoDb,
    getTableName,
  ),
);

import type * as z from 'zod/mini';
import { MAX_BATCH_KEY_VERSIONS, MAX_PLAINTEXT_BYTES, type ErrorCode, type RouteName } from '../../../contract/index.js';
import * as request from '../schemas.js';
import * as response from '../response-schemas.js';
import { CiphertextBatchBody, EncryptBatchBody } from './components.js';

/** What the document says of one route, beyond what the route table does. */
export interface Operation {
  readonly summary: string;
  /** What the summary leaves out, in CommonMark. */
  readonly description?: string;
  /** The body, one of these schemas; `required: false` where an absent body counts as `{}`. */
  readonly body?: { readonly schemas: readonly z.ZodMiniType[]; readonly required: boolean };
  readonly query?: z.ZodMiniObject;
  /** The success status, and its body, one of these schemas (none for a 204). */
  readonly success: { readonly status: 200 | 201 | 204; readonly schemas?: readonly z.ZodMiniType[] };
  /** The errors the function answers on this route, beyond those of the gateway (see `error-responses.ts`). */
  readonly errors: readonly ErrorCode[];
  /** A failure status answered with a report in the success body's shape (a check naming what failed), besides the errors. */
  readonly report?: { readonly status: 503; readonly description: string; readonly schema: z.ZodMiniType };
}

/** What any route served by `apiHandler` may answer: a malformed JSON body, no caller, a dependency failing, a bug. */
const API_HANDLER_ERRORS: readonly ErrorCode[] = ['ValidationError', 'AccessDenied', 'Throttled', 'DependencyUnavailable', 'InternalError'];
const MASTER_KEY_ERRORS: readonly ErrorCode[] = ['MasterKeyDisabled', 'MasterKeyPendingDeletion', 'MasterKeyPendingImport'];

const served = (...errors: (ErrorCode | readonly ErrorCode[])[]): readonly ErrorCode[] => [...API_HANDLER_ERRORS, ...errors.flat()];

const optionalBody = (schema: z.ZodMiniType) => ({ schemas: [schema], required: false });
const jsonBody = (...schemas: z.ZodMiniType[]) => ({ schemas, required: true });
const ok = (...schemas: z.ZodMiniType[]) => ({ status: 200 as const, schemas });

interface KeyChange {
  readonly errors?: readonly ErrorCode[];
  readonly body?: Operation['body'];
  readonly success?: Operation['success'];
}

/** A change to one key, answering its metadata; a change that keeps losing races to others is a conflict too. */
const keyChange = (
  summary: string,
  { errors = [], body = optionalBody(request.EmptyBody), success = ok(response.KeyMetadata) }: KeyChange = {},
): Operation => ({
  summary,
  body,
  success,
  errors: served('KeyNotFound', 'Conflict', errors),
});

/** A batch route's description: how its items are validated, and what fails the whole request. */
const batchRoute = (whole: string) =>
  `A body with \`items\` is a batch. ${request.BATCH_ITEM_RULE} The answer lists the items in input order, each its result or its \`error\`, with its \`reference\`. ${whole}`;

const CIPHERTEXT_BATCH_WHOLE = `The whole request fails (400 \`ValidationError\`) when the batch body itself is invalid, or its ciphertexts name more than ${MAX_BATCH_KEY_VERSIONS} distinct key versions.`;

const CIPHERTEXT_ERRORS = served('InvalidCiphertext', 'KeyDisabled', 'KeyPendingDeletion', 'KeyVersionRetired', MASTER_KEY_ERRORS);
const PLAINTEXT_ERRORS = served('KeyNotFound', 'KeyDisabled', 'KeyPendingDeletion', MASTER_KEY_ERRORS);

/** Every route of the contract, by name: a route missing here fails to compile. */
export const OPERATIONS: Readonly<Record<RouteName, Operation>> = {
  'GET /v1/health': { summary: 'Liveness probe: touches no dependency.', success: ok(response.HealthStatus), errors: [] },
  'GET /v1/openapi.json': {
    summary: 'This document.',
    success: ok(response.OpenApiDocument),
    errors: [],
  },
  'POST /v1/keys': {
    summary: 'Creates a data key; the caller becomes its first admin and user.',
    body: optionalBody(request.CreateKeyBody),
    success: { status: 201, schemas: [response.KeyMetadata] },
    errors: served('AlreadyExists', 'LimitExceeded', 'Conflict', MASTER_KEY_ERRORS),
  },
  'GET /v1/keys': {
    summary: 'Lists the keys the caller administers (metadata) or uses (summary).',
    query: request.ListKeysQuery,
    success: ok(response.KeyPage),
    errors: served(),
  },
  'GET /v1/keys/{key}': {
    summary: 'Describes a key to its admins.',
    body: optionalBody(request.EmptyBody),
    success: ok(response.KeyMetadata),
    errors: served('KeyNotFound'),
  },
  'PUT /v1/keys/{key}/policy': keyChange("Replaces the key's admins and users.", { body: jsonBody(request.PutPolicyBody) }),
  'PUT /v1/keys/{key}/tags': keyChange("Replaces the key's tags.", { body: jsonBody(request.TagsBody) }),
  'POST /v1/keys/{key}/grants': {
    summary: 'Delegates some uses of the key to one principal, within constraints and until a date, without touching its policy.',
    body: jsonBody(request.CreateGrantBody),
    success: { status: 201, schemas: [response.Grant] },
    errors: served('KeyNotFound', 'KeyPendingDeletion', 'AlreadyExists', 'LimitExceeded', 'Conflict'),
  },
  'GET /v1/keys/{key}/grants': {
    summary: "The key's active grants, to its admins.",
    query: request.ListGrantsQuery,
    success: ok(response.GrantPage),
    errors: served('KeyNotFound'),
  },
  'DELETE /v1/keys/{key}/grants/{grantId}': {
    summary: 'Revokes a grant (admins).',
    success: { status: 204 },
    errors: served('KeyNotFound', 'GrantNotFound', 'Conflict'),
  },
  'POST /v1/grants/{grantId}/retire': {
    summary: 'Gives up a grant the caller holds.',
    body: optionalBody(request.EmptyBody),
    success: { status: 204 },
    errors: served('GrantNotFound', 'Conflict'),
  },
  'POST /v1/keys/{key}/rotate': keyChange('Adds a version; new encryptions use it, older ones still decrypt.', {
    errors: ['KeyDisabled', 'KeyPendingDeletion', ...MASTER_KEY_ERRORS],
    success: ok(response.RotatedKey),
  }),
  'POST /v1/keys/{key}/disable': keyChange('Disables a key: no encryption or decryption under it.', { errors: ['KeyPendingDeletion'] }),
  'POST /v1/keys/{key}/enable': keyChange('Enables a disabled key.', { errors: ['KeyPendingDeletion'] }),
  'POST /v1/keys/{key}/schedule-deletion': keyChange('Schedules the deletion (crypto-shredding) of a key.', {
    errors: ['KeyPendingDeletion'],
    body: optionalBody(request.ScheduleDeletionBody),
  }),
  'POST /v1/keys/{key}/cancel-deletion': keyChange('Cancels a scheduled deletion; the key is left disabled.', {
    errors: ['InvalidKeyState'],
  }),
  'PUT /v1/keys/{key}/min-decryption-version': keyChange(
    'Sets the oldest version that may decrypt and rewrap: older ones answer KeyVersionRetired until it is lowered again. At most the current version; never at or below a destroyed one.',
    { errors: ['KeyPendingDeletion', 'InvalidKeyState'], body: jsonBody(request.RetireVersionsBody) },
  ),
  'POST /v1/keys/{key}/schedule-version-destruction': keyChange(
    'Schedules the destruction (crypto-shredding) of every retired version; from the date on nothing decrypts under them again.',
    { errors: ['KeyPendingDeletion', 'InvalidKeyState'], body: optionalBody(request.ScheduleDeletionBody) },
  ),
  'POST /v1/keys/{key}/cancel-version-destruction': keyChange('Cancels a pending destruction of versions; they stay retired.', {
    errors: ['InvalidKeyState'],
  }),
  'POST /v1/encrypt': {
    summary: 'Encrypts one plaintext, or a batch, under the current version of a key.',
    description: batchRoute(
      `The whole request fails as a single one would when the batch body itself is invalid, its key is unknown, disabled or not the caller's, or its plaintexts add up to more than ${MAX_PLAINTEXT_BYTES / 1024 / 1024} MiB (413).`,
    ),
    body: jsonBody(request.EncryptBody, EncryptBatchBody),
    success: ok(response.SealedValue, response.SealedBatch),
    errors: [...PLAINTEXT_ERRORS, 'PayloadTooLarge'],
  },
  'POST /v1/decrypt': {
    summary: 'Decrypts one ciphertext, or a batch.',
    description: batchRoute(CIPHERTEXT_BATCH_WHOLE),
    body: jsonBody(request.CiphertextBody, CiphertextBatchBody),
    success: ok(response.OpenedValue, response.OpenedBatch),
    errors: CIPHERTEXT_ERRORS,
  },
  'POST /v1/rewrap': {
    summary: "Re-encrypts one ciphertext, or a batch, under its key's current version, without showing the plaintext.",
    description: batchRoute(CIPHERTEXT_BATCH_WHOLE),
    body: jsonBody(request.CiphertextBody, CiphertextBatchBody),
    success: ok(response.SealedValue, response.SealedBatch),
    errors: CIPHERTEXT_ERRORS,
  },
  'POST /v1/data-keys': {
    summary: 'A fresh 256-bit data key, and its seal under the key: an ordinary ciphertext.',
    body: jsonBody(request.DataKeyBody),
    success: ok(response.DataKeyValue),
    errors: PLAINTEXT_ERRORS,
  },
  'GET /v1/master-key': {
    summary: "The master key's state and rotation settings, from KMS.",
    success: ok(response.MasterKeyStatus),
    errors: served(),
  },
  'GET /v1/health/dependencies': {
    summary: 'Checks KMS (the master key), DynamoDB (the table) and the audit trail now, each within a timeout: 200 when all are ok.',
    success: ok(response.DependencyHealth),
    errors: served(),
    report: { status: 503, description: 'A dependency is unavailable (the report names it)', schema: response.DependencyHealth },
  },
};

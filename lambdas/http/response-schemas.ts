import * as z from 'zod/mini';
import {
  DEPENDENCY_FAILURES,
  ERROR_STATUS,
  GRANT_OPERATIONS,
  KEY_ID_PATTERN,
  type ErrorBody as ErrorBodyType,
  type ErrorCode,
} from '../../contract/index.js';
import type * as wire from '../../contract/types.js';

// The bodies the API answers, as zod/mini schemas: the OpenAPI document is generated from them, and
// each one is checked at compile time against its type in the contract (see `ContractAgreement`).

const timestamp = z.iso.datetime();
const keyId = z.string().check(z.regex(KEY_ID_PATTERN), z.describe('The key id, a UUID: a `{key}`, or a `keyId` in a request, names the key by it.'));
const keyVersion = z.int().check(z.gte(1));
const base64 = z.base64();
/** A ciphertext token as the service writes it: always the current format. */
const token = z.string().check(z.regex(/^ev2\./), z.describe('A ciphertext token: `ev2.` then base64url.'));

export const ERROR_CODES = Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]];

/** `{code, message}`, with `code` one of `codes`. */
export const errorDetail = (codes: readonly [ErrorCode, ...ErrorCode[]] = ERROR_CODES) => z.object({ code: z.enum(codes), message: z.string() });
/** Every error answer's body, with `code` one of `codes`. */
export const errorBody = (codes?: readonly [ErrorCode, ...ErrorCode[]]) => z.object({ error: errorDetail(codes) });
export const ErrorBody = errorBody();

export const KeyPolicy = z.object({ admins: z.array(z.string()), users: z.array(z.string()) });
export const Tags = z.record(z.string(), z.string());

export const KeyMetadata = z.object({
  keyId,
  alias: z.nullable(z.string()),
  description: z.nullable(z.string()),
  state: z.enum(['Enabled', 'Disabled', 'PendingDeletion']),
  currentVersion: keyVersion,
  versions: z.array(
    z.object({
      version: keyVersion,
      createdAt: timestamp,
      state: z.enum(['Enabled', 'Retired', 'PendingDestruction', 'Destroyed']),
      lastUsedAt: z.optional(z.nullable(timestamp)),
    }),
  ),
  createdAt: timestamp,
  createdBy: z.string(),
  deletionDate: z.nullable(timestamp),
  policy: KeyPolicy,
  tags: Tags,
  minDecryptionVersion: keyVersion,
  versionDestruction: z.nullable(z.object({ throughVersion: keyVersion, destructionDate: timestamp })),
  destroyedThroughVersion: z.number().check(z.int(), z.gte(0)),
});

const context = z.record(z.string(), z.string());

export const Grant = z.object({
  grantId: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  keyId,
  grantee: z.string(),
  operations: z.array(z.enum(GRANT_OPERATIONS)),
  constraints: z.nullable(z.union([z.object({ contextEquals: context }), z.object({ contextSubset: context })])),
  expiresAt: timestamp,
  name: z.nullable(z.string()),
  createdAt: timestamp,
  createdBy: z.string(),
});

export const GrantPage = z.object({ grants: z.array(Grant), nextToken: z.optional(z.string()) });

export const KeySummary = z.extend(z.pick(KeyMetadata, { keyId: true, alias: true, state: true, currentVersion: true }), {
  grants: z.optional(z.array(Grant)),
});

export const KeyPage = z.object({
  keys: z.array(z.union([KeyMetadata, KeySummary])),
  nextToken: z.optional(z.string()),
});

export const RotatedKey = z.extend(KeyMetadata, { createdVersion: keyVersion });

export const SealedValue = z.object({ ciphertext: token, keyId, keyVersion });
export const OpenedValue = z.object({ plaintext: base64, keyId, keyVersion });

export const DataKeyValue = z.object({ encryptedKey: token, plaintextKey: z.optional(base64), keyId, keyVersion });

const reference = z.optional(z.string());

/** A batch item's outcome: the value, or the item's own error; with the caller's `reference` either way. */
const batchItem = <V extends z.ZodMiniObject>(value: V) =>
  z.union([
    z.extend(value, { reference }),
    z
      .object({ error: errorDetail(), reference })
      .check(
        z.describe(
          "The item's own error: a `ValidationError` for an item that breaks the item schema, or what the item alone would have answered (`InvalidCiphertext`, `KeyDisabled`…); the other items go on.",
        ),
      ),
  ]);

export const SealedBatchItem = batchItem(SealedValue);
export const OpenedBatchItem = batchItem(OpenedValue);
export const SealedBatch = z.object({ items: z.array(SealedBatchItem) });
export const OpenedBatch = z.object({ items: z.array(OpenedBatchItem) });

export const MasterKeyStatus = z.object({
  keyArn: z.string(),
  keyState: z.string(),
  keyMaterialOrigin: z.string(),
  keyMaterialValidTo: z.nullable(timestamp),
  keyRotationEnabled: z.boolean(),
  rotationPeriodInDays: z.nullable(z.int().check(z.gte(1))),
  nextRotationDate: z.nullable(timestamp),
});

export const HealthStatus = z.object({ status: z.literal('ok') });

const availability = z.enum(['ok', 'unavailable']);

export const DependencyStatus = z.object({
  status: availability,
  latencyMs: z.number().check(z.gte(0)),
  reason: z.optional(z.enum(DEPENDENCY_FAILURES)),
});

/** `GET /v1/health/dependencies`, whether it answers 200 (all ok) or 503 (one is not). */
export const DependencyHealth = z.object({
  status: availability,
  dependencies: z.object({
    kms: z.extend(DependencyStatus, { keyState: z.nullable(z.string()) }),
    dynamodb: DependencyStatus,
    auditTrail: DependencyStatus,
  }),
});

/** `GET /v1/openapi.json`: an OpenAPI 3.1 document (described by the OpenAPI specification, not here). */
export const OpenApiDocument = z.looseObject({
  openapi: z.string().check(z.regex(/^3\.1\./)),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.looseObject({})),
});

/** Deeply readonly: the contract's types are, zod's outputs are not. */
type Immutable<T> = T extends readonly (infer E)[] ? readonly Immutable<E>[] : T extends object ? { readonly [K in keyof T]: Immutable<T[K]> } : T;
type MutuallyAssignable<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** True when a schema's output and a contract type are assignable both ways (readonly aside). */
type Agrees<S extends z.ZodMiniType, T> = MutuallyAssignable<Immutable<z.output<S>>, Immutable<T>>;
type Assert<T extends true> = T;

/** Compiles only while every response schema agrees with its type in `contract/types.ts`. */
export type ContractAgreement = [
  Assert<Agrees<typeof ErrorBody, ErrorBodyType>>,
  Assert<Agrees<typeof KeyPolicy, wire.KeyPolicy>>,
  Assert<Agrees<typeof Tags, wire.Tags>>,
  Assert<Agrees<typeof KeyMetadata, wire.KeyMetadata>>,
  Assert<Agrees<typeof KeySummary, wire.KeySummary>>,
  Assert<Agrees<typeof KeyPage, wire.KeyPage>>,
  Assert<Agrees<typeof RotatedKey, wire.RotatedKey>>,
  Assert<Agrees<typeof SealedValue, wire.SealedValue>>,
  Assert<Agrees<typeof OpenedValue, wire.OpenedValue>>,
  Assert<Agrees<typeof DataKeyValue, wire.DataKeyValue>>,
  Assert<Agrees<typeof SealedBatchItem, wire.BatchItemResult<wire.SealedValue>>>,
  Assert<Agrees<typeof OpenedBatchItem, wire.BatchItemResult<wire.OpenedValue>>>,
  Assert<Agrees<typeof MasterKeyStatus, wire.MasterKeyStatus>>,
  Assert<Agrees<typeof Grant, wire.Grant>>,
  Assert<Agrees<typeof GrantPage, wire.GrantPage>>,
  Assert<Agrees<typeof DependencyStatus, wire.DependencyStatus>>,
  Assert<Agrees<typeof DependencyHealth, wire.DependencyHealth>>,
];

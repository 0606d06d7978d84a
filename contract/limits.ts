/** The API's documented limits. */

/** Plaintext bytes one encrypt request may carry (one item, or all items of a batch). */
export const MAX_PLAINTEXT_BYTES = 4 * 1024 * 1024;
/** API Gateway's own payload limit: larger requests never reach a function. */
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;
export const MAX_BATCH_ITEMS = 1000;
/** Distinct data-key versions one decrypt or rewrap batch may name (each may cost a KMS call). */
export const MAX_BATCH_KEY_VERSIONS = 20;
/** UTF-8 bytes of one encryption context, encoded. */
export const MAX_CONTEXT_BYTES = 8 * 1024;
/** Admins, and users, one key policy may name. */
export const MAX_POLICY_PRINCIPALS = 50;
export const MAX_DESCRIPTION_LENGTH = 8192;
export const ALIAS_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const ALIAS_PREFIX = 'alias/';
/** A key id: a random UUID, lower case. */
export const KEY_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** How a request names a key: its id, or `alias/<name>` (made of the patterns above, each without its anchors). */
export const KEY_REFERENCE_PATTERN = new RegExp(
  `^(?:${KEY_ID_PATTERN.source.slice(1, -1)}|${ALIAS_PREFIX.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}${ALIAS_PATTERN.source.slice(1, -1)})$`,
);
export const PENDING_WINDOW_DAYS = { min: 7, max: 30, default: 30 } as const;
/** Tags, with KMS's rules: at most 50, keys 1–128 and values 0–256 characters, no `aws:` keys. */
export const TAG_LIMITS = { maxTags: 50, maxKeyLength: 128, maxValueLength: 256 } as const;
export const TAG_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
export const RESERVED_TAG_PREFIX = 'aws:';
/** Active grants one key may carry, and how far ahead a grant may expire. */
export const GRANT_LIMITS = { maxActiveGrantsPerKey: 100, maxLifetimeDays: 365, maxNameLength: 256 } as const;
export const GRANT_OPERATIONS = ['encrypt', 'decrypt', 'rewrap', 'generateDataKey'] as const;
export const LIST_LIMIT = { min: 1, max: 100, default: 50 } as const;
/** The request header that makes a state-changing request safely retryable, and its values. */
export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;
/**
 * How long a change made with an `Idempotency-Key` is recognised by the retries of its request,
 * and how many such changes one key's record remembers at a time (the oldest are forgotten first).
 */
export const IDEMPOTENCY_LIMITS = { rememberedSeconds: 24 * 60 * 60, maxRememberedPerKey: 200 } as const;

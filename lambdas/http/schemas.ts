import * as z from 'zod/mini';
import {
  ALIAS_PATTERN,
  GRANT_LIMITS,
  GRANT_OPERATIONS,
  LIST_LIMIT,
  RESERVED_TAG_PREFIX,
  TAG_LIMITS,
  TAG_PATTERN,
  MAX_BATCH_ITEMS,
  MAX_CONTEXT_BYTES,
  MAX_DESCRIPTION_LENGTH,
  MAX_POLICY_PRINCIPALS,
  PENDING_WINDOW_DAYS,
} from '../../contract/index.js';
import { CONTEXT_SIZE_RULE, contextBytes } from '../domain/encryption-context.js';
import { PRINCIPAL_ARN_PATTERN } from '../domain/principals.js';

// zod/mini: the same validation as zod's classic API at a fraction of the bundle size.

/**
 * Text that is well-formed Unicode. A lone surrogate has no UTF-8 encoding (it becomes U+FFFD), so
 * `"\ud800"`, `"\udfff"` and `"\ufffd"` would otherwise authenticate as the same context.
 */
const LONE_SURROGATE = /\p{Cs}/u;
const text = () => z.string().check(z.refine((value) => !LONE_SURROGATE.test(value), 'must be well-formed Unicode (no lone surrogates)'));
/** Bounded here too, so that an oversized context is refused before anything (the audit record) holds it. */
const context = z.optional(z.record(text(), text()).check(z.refine((value) => contextBytes(value) <= MAX_CONTEXT_BYTES, CONTEXT_SIZE_RULE)));
const principalArn = z.string().check(z.regex(PRINCIPAL_ARN_PATTERN, 'must be an IAM principal ARN'));
const keyId = z.string().check(z.minLength(1), z.maxLength(256));
const reference = z.optional(text().check(z.maxLength(1024)));
/** Batch items are validated one by one, so that one bad item fails alone. */
const batchItems = z.array(z.unknown()).check(z.minLength(1), z.maxLength(MAX_BATCH_ITEMS));

const tagText = (max: number, min: number) =>
  text().check(z.minLength(min), z.maxLength(max), z.regex(TAG_PATTERN, 'must be letters, digits, spaces and _ . : / = + - @'));
/** Tags with KMS's rules; the same rules apply to the tags a deployment puts on its resources. */
export const Tags = z
  .record(
    tagText(TAG_LIMITS.maxKeyLength, 1).check(
      z.refine((key) => !key.toLowerCase().startsWith(RESERVED_TAG_PREFIX), `must not start with ${RESERVED_TAG_PREFIX}`),
    ),
    tagText(TAG_LIMITS.maxValueLength, 0),
  )
  .check(z.refine((value) => Object.keys(value).length <= TAG_LIMITS.maxTags, `at most ${TAG_LIMITS.maxTags} tags`));

export const TagsBody = z.strictObject({ tags: Tags });

const contextPairs = z.record(text(), text());
export const CreateGrantBody = z.strictObject({
  grantee: principalArn,
  operations: z.array(z.enum(GRANT_OPERATIONS)).check(z.minLength(1), z.maxLength(GRANT_OPERATIONS.length)),
  constraints: z.optional(z.union([z.strictObject({ contextEquals: contextPairs }), z.strictObject({ contextSubset: contextPairs })])),
  expiresAt: z.optional(z.iso.datetime({ offset: true })),
  name: z.optional(
    text().check(z.minLength(1), z.maxLength(GRANT_LIMITS.maxNameLength), z.regex(/^[a-zA-Z0-9:/_-]+$/, 'must be letters, digits and : / _ -')),
  ),
});

export const ListGrantsQuery = z.strictObject({
  limit: z._default(z.coerce.number().check(z.int(), z.gte(LIST_LIMIT.min), z.lte(LIST_LIMIT.max)), LIST_LIMIT.default),
  nextToken: z.optional(z.string().check(z.minLength(1), z.maxLength(512))),
});

export const CreateKeyBody = z.strictObject({
  tags: z.optional(Tags),
  alias: z.optional(z.string().check(z.regex(ALIAS_PATTERN, `must match ${ALIAS_PATTERN.source}`))),
  description: z.optional(text().check(z.maxLength(MAX_DESCRIPTION_LENGTH))),
});

export const ListKeysQuery = z.strictObject({
  limit: z._default(z.coerce.number().check(z.int(), z.gte(LIST_LIMIT.min), z.lte(LIST_LIMIT.max)), LIST_LIMIT.default),
  nextToken: z.optional(z.string().check(z.minLength(1), z.maxLength(512))),
  /** `key:value`: only keys carrying that tag. */
  tag: z.optional(z.string().check(z.regex(/^[^:]+:.*$/, 'must be key:value'))),
});

export const PutPolicyBody = z.strictObject({
  admins: z.array(principalArn).check(z.maxLength(MAX_POLICY_PRINCIPALS)),
  users: z.array(principalArn).check(z.maxLength(MAX_POLICY_PRINCIPALS)),
  bypassLockoutSafetyCheck: z.optional(z.boolean()),
});

export const ScheduleDeletionBody = z.strictObject({
  pendingWindowInDays: z._default(
    z.number().check(z.int(), z.gte(PENDING_WINDOW_DAYS.min), z.lte(PENDING_WINDOW_DAYS.max)),
    PENDING_WINDOW_DAYS.default,
  ),
});

export const EmptyBody = z.strictObject({});

export const PlaintextItem = z.strictObject({ plaintext: z.string(), context, reference });
export const CiphertextItem = z.strictObject({ ciphertext: z.string().check(z.minLength(1)), context, reference });

export const DataKeyBody = z.strictObject({
  keyId,
  context,
  keySpec: z.optional(z.literal('AES_256')),
  withoutPlaintext: z.optional(z.boolean()),
});

export const EncryptBody = z.strictObject({ keyId, plaintext: z.string(), context });
export const EncryptBatchBody = z.strictObject({ keyId, items: batchItems });
export const CiphertextBody = z.strictObject({ ciphertext: z.string().check(z.minLength(1)), context });
export const CiphertextBatchBody = z.strictObject({ items: batchItems });

import * as z from 'zod/mini';
import {
  ALIAS_PATTERN,
  GRANT_LIMITS,
  KEY_REFERENCE_PATTERN,
  MAX_BATCH_KEY_VERSIONS,
  GRANT_OPERATIONS,
  LIST_LIMIT,
  RESERVED_TAG_PREFIX,
  TAG_LIMITS,
  TAG_PATTERN,
  MAX_BATCH_ITEMS,
  MAX_CONTEXT_BYTES,
  MAX_DESCRIPTION_LENGTH,
  MAX_PLAINTEXT_BYTES,
  MAX_POLICY_PRINCIPALS,
  PENDING_WINDOW_DAYS,
} from '../../contract/index.js';
import { CONTEXT_SIZE_RULE, contextBytes } from '../domain/encryption-context.js';
import { PRINCIPAL_ARN_PATTERN, ROLE_SESSION_PATTERN } from '../domain/principals.js';

// zod/mini: the same validation as zod's classic API at a fraction of the bundle size.
// The OpenAPI document is generated from these schemas (lambdas/http/openapi/): a rule that a zod
// check cannot show in JSON Schema (a refinement) carries the JSON Schema keywords that say the
// same (`z.meta`, beside the refinement), or a description where JSON Schema cannot say it.

/** A pattern matching text that starts with `prefix`, in any letter case (JSON Schema patterns take no flags). */
const startsWithAnyCase = (prefix: string): string =>
  `^${[...prefix].map((c) => (c.toLowerCase() === c.toUpperCase() ? c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&') : `[${c.toLowerCase()}${c.toUpperCase()}]`)).join('')}`;

/**
 * A length in characters (code points), as JSON Schema (and KMS, for tags) counts it: zod's own
 * length checks count UTF-16 code units, so `"𠆱"` would be 2 long, and the document would allow
 * text the service refuses.
 */
function characters(min: number, max?: number) {
  // A string has at most as many code points as code units, and at least half as many: they are counted only when that leaves it open.
  const count = (value: string) => [...value].length;
  const atLeast = (value: string) => value.length >= 2 * min || count(value) >= min;
  const atMost = (value: string) => max === undefined || value.length <= max || count(value) <= max;
  return [
    z.refine<string>(atLeast, `Too small: expected string to have >=${min} characters`),
    z.refine<string>(atMost, `Too big: expected string to have <=${max} characters`),
    z.meta({ ...(min > 0 && { minLength: min }), ...(max !== undefined && { maxLength: max }) }),
  ] as const;
}

/**
 * Text that is well-formed Unicode. A lone surrogate has no UTF-8 encoding (it becomes U+FFFD), so
 * `"\ud800"`, `"\udfff"` and `"\ufffd"` would otherwise authenticate as the same context.
 */
const LONE_SURROGATE = /\p{Cs}/u;
const text = () => z.string().check(z.refine((value) => !LONE_SURROGATE.test(value), 'must be well-formed Unicode (no lone surrogates)'));
/** Bounded here too, so that an oversized context is refused before anything (the audit record) holds it. */
const context = z.optional(
  z.record(text(), text()).check(
    z.refine((value) => contextBytes(value) <= MAX_CONTEXT_BYTES, CONTEXT_SIZE_RULE),
    z.describe(`The encryption context: its keys and values, as UTF-8, ${CONTEXT_SIZE_RULE}`),
  ),
);
/** A principal ARN; a role session is refused by the domain (naming the role to use instead), as the document says. */
const principalArn = z
  .string()
  .check(z.regex(PRINCIPAL_ARN_PATTERN, 'must be an IAM principal ARN'), z.meta({ not: { pattern: ROLE_SESSION_PATTERN.source } }));
/** How a request names a key, in a body (`keyId`) or a path (`{key}`): its id (a UUID) or `alias/<name>`. */
export const KeyReference = z
  .string()
  .check(
    z.regex(KEY_REFERENCE_PATTERN, 'must be a key id (UUID) or alias/<name>'),
    z.describe("A key id (a UUID, as `keyId` in a key's metadata) or `alias/<name>`."),
  );
const keyId = KeyReference;
const reference = z.optional(text().check(...characters(0, 1024)));
/**
 * Standard base64, as `decodePlaintext` (lambdas/http/request.ts) checks it with zod's `base64()`:
 * decoding and checking it once there, rather than here too, spares a 4 MiB plaintext a second pass.
 */
// The keywords zod's toJSONSchema gives `z.base64()`, from zod's own regex: calling the converter
// here would bring it into every function's bundle (21 KB, and its import at each cold start).
const BASE64_KEYWORDS = { format: 'base64', contentEncoding: 'base64', pattern: z.regexes.base64.source } as const;
const plaintext = z
  .string()
  .check(
    z.meta(BASE64_KEYWORDS),
    z.describe(
      `The plaintext, standard base64; over ${MAX_PLAINTEXT_BYTES / 1024 / 1024} MiB decoded (in one request, all items of a batch together), a 413 \`PayloadTooLarge\`.`,
    ),
  );

/**
 * What happens to a batch item that breaks its item schema, as the document says it: batch items
 * are validated one by one, so that one bad item fails alone.
 */
export const BATCH_ITEM_RULE =
  'Items are validated one by one: an item that breaks its schema is answered in its place with its own `ValidationError`, inside a 200, and the others go on.';
const batchItems = z.array(z.unknown()).check(z.minLength(1), z.maxLength(MAX_BATCH_ITEMS));

const tagText = (max: number, min: number) =>
  text().check(...characters(min, max), z.regex(TAG_PATTERN, 'must be letters, digits, spaces and _ . : / = + - @'));
/** Tags with KMS's rules; the same rules apply to the tags a deployment puts on its resources. */
export const Tags = z
  .record(
    tagText(TAG_LIMITS.maxKeyLength, 1).check(
      z.refine((key) => !key.toLowerCase().startsWith(RESERVED_TAG_PREFIX), `must not start with ${RESERVED_TAG_PREFIX}`),
      z.meta({ not: { pattern: startsWithAnyCase(RESERVED_TAG_PREFIX) } }),
    ),
    tagText(TAG_LIMITS.maxValueLength, 0),
  )
  .check(
    z.refine((value) => Object.keys(value).length <= TAG_LIMITS.maxTags, `at most ${TAG_LIMITS.maxTags} tags`),
    z.meta({ maxProperties: TAG_LIMITS.maxTags }),
  );

export const TagsBody = z.strictObject({ tags: Tags });

const contextPairs = z.record(text(), text());
export const CreateGrantBody = z.strictObject({
  grantee: principalArn,
  operations: z.array(z.enum(GRANT_OPERATIONS)).check(z.minLength(1), z.maxLength(GRANT_OPERATIONS.length)),
  constraints: z.optional(z.union([z.strictObject({ contextEquals: contextPairs }), z.strictObject({ contextSubset: contextPairs })])),
  expiresAt: z.optional(
    z.iso
      .datetime({ offset: true })
      .check(z.describe(`In the future, and at most ${GRANT_LIMITS.maxLifetimeDays} days ahead (the default); otherwise a \`ValidationError\`.`)),
  ),
  name: z.optional(
    text().check(z.minLength(1), z.maxLength(GRANT_LIMITS.maxNameLength), z.regex(/^[a-zA-Z0-9:/_-]+$/, 'must be letters, digits and : / _ -')),
  ),
});

/** Opaque: the `nextToken` of the page before. */
const nextToken = (more = '') =>
  z.optional(z.string().check(...characters(1, 512), z.describe(`The \`nextToken\` of the page before, as it was answered${more}.`)));

export const ListGrantsQuery = z.strictObject({
  limit: z._default(z.coerce.number().check(z.int(), z.gte(LIST_LIMIT.min), z.lte(LIST_LIMIT.max)), LIST_LIMIT.default),
  nextToken: nextToken(),
});

export const CreateKeyBody = z.strictObject({
  tags: z.optional(Tags),
  alias: z.optional(z.string().check(z.regex(ALIAS_PATTERN, `must match ${ALIAS_PATTERN.source}`))),
  description: z.optional(text().check(...characters(0, MAX_DESCRIPTION_LENGTH))),
});

export const ListKeysQuery = z.strictObject({
  limit: z._default(z.coerce.number().check(z.int(), z.gte(LIST_LIMIT.min), z.lte(LIST_LIMIT.max)), LIST_LIMIT.default),
  nextToken: nextToken('; any other value is a `ValidationError`'),
  /** `key:value`: only keys carrying that tag. */
  tag: z.optional(z.string().check(z.regex(/^[^:]+:.*$/, 'must be key:value'))),
});

export const PutPolicyBody = z.strictObject({
  admins: z
    .array(principalArn)
    .check(
      z.minLength(1, 'a key policy needs at least one admin, or nobody could ever manage the key again'),
      z.maxLength(MAX_POLICY_PRINCIPALS),
      z.describe('Must name the caller (or its role), unless `bypassLockoutSafetyCheck` is true; otherwise a `ValidationError`.'),
    ),
  users: z.array(principalArn).check(z.maxLength(MAX_POLICY_PRINCIPALS)),
  bypassLockoutSafetyCheck: z.optional(z.boolean()),
});

export const ScheduleDeletionBody = z.strictObject({
  pendingWindowInDays: z._default(
    z.number().check(z.int(), z.gte(PENDING_WINDOW_DAYS.min), z.lte(PENDING_WINDOW_DAYS.max)),
    PENDING_WINDOW_DAYS.default,
  ),
});

export const RetireVersionsBody = z.strictObject({
  minDecryptionVersion: z.number().check(z.int(), z.gte(1)),
});

export const EmptyBody = z.strictObject({});

export const PlaintextItem = z.strictObject({ plaintext, context, reference });
export const CiphertextItem = z.strictObject({ ciphertext: z.string().check(z.minLength(1)), context, reference });

export const DataKeyBody = z.strictObject({
  keyId,
  context,
  keySpec: z.optional(z.literal('AES_256')),
  withoutPlaintext: z.optional(z.boolean()),
});

export const EncryptBody = z.strictObject({ keyId, plaintext, context });
export const EncryptBatchBody = z.strictObject({ keyId, items: batchItems });
export const CiphertextBody = z.strictObject({ ciphertext: z.string().check(z.minLength(1)), context });
export const CiphertextBatchBody = z
  .strictObject({ items: batchItems })
  .check(
    z.describe(
      `At most ${MAX_BATCH_KEY_VERSIONS} distinct key versions among the items' ciphertexts, or the whole request is a \`ValidationError\`.`,
    ),
  );

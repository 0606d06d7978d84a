import { z } from 'zod';
import { ALIAS_PATTERN } from '../domain/data-key.js';
import { PRINCIPAL_ARN_PATTERN } from '../domain/principals.js';

const context = z.record(z.string(), z.string()).optional();
const principalArn = z.string().regex(PRINCIPAL_ARN_PATTERN, 'must be an IAM principal ARN');

export const CreateKeyBody = z.strictObject({
  alias: z.string().regex(ALIAS_PATTERN, 'must match ^[A-Za-z0-9_-]{1,64}$').optional(),
  description: z.string().max(8192).optional(),
});

export const ListKeysQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  nextToken: z.string().min(1).max(512).optional(),
});

export const PutPolicyBody = z.strictObject({
  admins: z.array(principalArn).max(50),
  users: z.array(principalArn).max(50),
});

export const ScheduleDeletionBody = z.strictObject({
  pendingWindowInDays: z.number().int().min(7).max(30).default(30),
});

export const EmptyBody = z.strictObject({});

const keyId = z.string().min(1).max(256);
const reference = z.string().max(1024).optional();
/** Batch items are validated one by one, so that one bad item fails alone. */
const batchItems = z.array(z.unknown()).min(1).max(1000);

export const PlaintextItem = z.strictObject({ plaintext: z.string(), context, reference });
export const CiphertextItem = z.strictObject({ ciphertext: z.string().min(1), context, reference });

export const EncryptBody = z.strictObject({ keyId, plaintext: z.string(), context });
export const EncryptBatchBody = z.strictObject({ keyId, items: batchItems });
export const CiphertextBody = z.strictObject({ ciphertext: z.string().min(1), context });
export const CiphertextBatchBody = z.strictObject({ items: batchItems });

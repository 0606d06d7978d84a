import { KmsError, validation } from '../errors.js';
import type { KeyStore } from '../key-store.js';
import { keyFor, keyOnly, type Access, type OperationFamily } from './operation.js';

const MAX_POLICY_BYTES = 32_768;

/** GetKeyPolicy and PutKeyPolicy; CreateKey sets the first policy with the checks below. */
export const keyPolicyOperations = {
  GetKeyPolicy: async (store, input, access) => {
    policyName(input.PolicyName);
    const key = await keyFor(store, access, input.KeyId, 'kms:GetKeyPolicy', keyOnly);
    return { Policy: key.policy, PolicyName: 'default' };
  },
  PutKeyPolicy: async (store, input, access) => {
    policyName(input.PolicyName);
    const key = await keyFor(store, access, input.KeyId, 'kms:PutKeyPolicy', keyOnly);
    const policy = parsePolicy(input.Policy);
    await lockoutSafe(access, input.BypassPolicyLockoutSafetyCheck, { arn: key.arn, policy });
    key.policy = policy;
    return {};
  },
} satisfies OperationFamily;

/** The default key policy: the account's IAM policies decide. */
export const defaultPolicy = (store: KeyStore) =>
  JSON.stringify({
    Version: '2012-10-17',
    Id: 'key-default-1',
    Statement: [
      {
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: { AWS: `arn:${store.partition}:iam::${store.accountId}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
    ],
  });

export function parsePolicy(policy: string): string {
  if (Buffer.byteLength(policy) > MAX_POLICY_BYTES)
    throw new KmsError('LimitExceededException', `The key policy exceeds the quota of ${MAX_POLICY_BYTES} bytes.`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(policy);
  } catch {
    parsed = undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || !Object.hasOwn(parsed, 'Statement')) {
    throw new KmsError('MalformedPolicyDocumentException', 'The policy is not a valid JSON key policy document.');
  }
  return policy;
}

/**
 * KMS's policy lockout safety check: unless the caller bypasses it, a new key policy must let the
 * caller change the policy again.
 */
export async function lockoutSafe(access: Access, bypass: boolean | undefined, key: { arn: string; policy: string }): Promise<void> {
  if (bypass === true) return;
  if ((await access.denial('kms:PutKeyPolicy', key)) !== undefined) {
    throw new KmsError('MalformedPolicyDocumentException', 'The new key policy will not allow you to update the key policy in the future.');
  }
}

function policyName(name: string | undefined): void {
  if (name !== undefined && name !== 'default') throw validation(`The only valid key policy name is default, not ${name}.`);
}

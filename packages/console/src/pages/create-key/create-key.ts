import { api } from '../../api/client.js';
import type { KeyMetadata } from '../../api/types.js';
import { createRequest, type KeyDraft, policyChange } from './key-draft.js';

export type PolicyOutcome =
  /** The created policy (the creator as administrator and user) was what the wizard asked for. */
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'updated' }
  /** The key exists, with the created policy: the update can be made again from its page. */
  | { readonly kind: 'failed'; readonly error: unknown };

export interface CreatedKey {
  readonly key: KeyMetadata;
  readonly policy: PolicyOutcome;
}

type Call = typeof api;

/**
 * Creates the key, then, since `POST /v1/keys` takes no policy, puts the wizard's policy when it
 * differs from the created one. A failed create throws; a failed policy update does not, for the key
 * exists by then and the caller must say so.
 */
export async function createKey(draft: KeyDraft, call: Call = api): Promise<CreatedKey> {
  const key = await call<KeyMetadata>('POST', '/v1/keys', { body: createRequest(draft) });
  const policy = policyChange(key.policy, draft);
  if (policy === undefined) return { key, policy: { kind: 'unchanged' } };
  try {
    const updated = await call<KeyMetadata>('PUT', `/v1/keys/${encodeURIComponent(key.keyId)}/policy`, { body: policy });
    return { key: updated, policy: { kind: 'updated' } };
  } catch (error) {
    return { key, policy: { kind: 'failed', error } };
  }
}

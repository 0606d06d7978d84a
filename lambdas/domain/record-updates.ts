import type { DataKeyRecord } from './data-key.js';
import type { DataKeyStore, MetadataChanges } from './data-key-store.js';
import { ServiceError } from './errors.js';
import type { KeyDirectory } from './key-directory.js';

export const MAX_OPTIMISTIC_ATTEMPTS = 12;

/**
 * Waits before retrying a lost race, with full jitter (the AWS Architecture Blog's "exponential
 * backoff and jitter"): up to 10 ms, doubling per attempt, capped at 200 ms, so that writers
 * racing on one key spread out instead of colliding again.
 */
export function backoff(attempt: number): Promise<void> {
  if (attempt === 0) return Promise.resolve();
  return new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(200, 10 * 2 ** attempt)));
}

export interface RecordChange {
  /** Throws unless the caller may make the change (an administrator, or a grant's grantee). */
  readonly check: (record: DataKeyRecord) => void;
  readonly decide: (record: DataKeyRecord) => MetadataChanges | Promise<MetadataChanges>;
}

/** Read fresh, check, decide, and write conditionally on the revision; re-read on a lost race. */
export async function changeRecord(store: DataKeyStore, keys: KeyDirectory, keyRef: string, { check, decide }: RecordChange): Promise<DataKeyRecord> {
  for (let attempt = 0; attempt < MAX_OPTIMISTIC_ATTEMPTS; attempt++) {
    await backoff(attempt);
    const record = await keys.find(keyRef);
    check(record);
    const changes = await decide(record);
    if (await store.updateRecord(record.keyId, record.revision, changes)) return { ...record, ...changes };
  }
  throw new ServiceError('Conflict', 'The key changed concurrently; retry.');
}

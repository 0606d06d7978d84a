import { rememberedChange, requestsToForget, type ChangeRequest, type RememberedRequest } from './change-request.js';
import type { DataKeyRecord } from './data-key.js';
import type { DataKeyStore, MetadataChanges, RequestMemo } from './data-key-store.js';
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
  /** The request the change is made for: remembered by the write, found by its retries. */
  readonly request?: ChangeRequest;
  /** What the request's answer needs besides the record, remembered with it. */
  readonly remember?: () => Omit<RememberedRequest, 'at'>;
  readonly now?: () => Date;
}

/**
 * Read fresh, check, decide, and write conditionally on the revision; re-read on a lost race. A
 * retry of a request whose change the record remembers answers the record as it is: the change
 * is not made again, nor checked again (the record may have moved on: a grant retired since).
 */
export async function changeRecord(store: DataKeyStore, keys: KeyDirectory, keyRef: string, change: RecordChange): Promise<DataKeyRecord> {
  const { check, decide, request, now = () => new Date() } = change;
  for (let attempt = 0; attempt < MAX_OPTIMISTIC_ATTEMPTS; attempt++) {
    await backoff(attempt);
    const record = await keys.find(keyRef);
    if (rememberedChange(record.requests, request, now())) {
      request!.markRecovered();
      return record;
    }
    check(record);
    const changes = await decide(record);
    if (await store.updateRecord(record.keyId, record.revision, changes, memoOf(record, change, now()))) return { ...record, ...changes };
  }
  throw new ServiceError('Conflict', 'The key changed concurrently; retry.');
}

function memoOf(record: DataKeyRecord, { request, remember }: RecordChange, now: Date): RequestMemo | undefined {
  if (request === undefined) return undefined;
  return {
    token: request.token,
    entry: { at: Math.floor(now.getTime() / 1000), ...remember?.() },
    forget: requestsToForget(record.requests, now).filter((token) => token !== request.token),
    mapExists: record.requests !== undefined,
  };
}

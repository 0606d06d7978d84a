import type { DataKeyRecord } from './data-key.js';
import type { DataKeyStore } from './data-key-store.js';
import type { MasterKey } from './master-key.js';

/**
 * Adds a data key's next version. Versions are claimed with a conditional put, so concurrent
 * callers each get their own; one that finds its version taken helps the winner advance the
 * record and reports false, to retry from a fresh read.
 */
export async function addNextVersion(store: DataKeyStore, masterKey: MasterKey, record: DataKeyRecord, now: Date): Promise<boolean> {
  const next = record.currentVersion + 1;
  const createdAt = now.toISOString();
  const wrappedKey = await masterKey.generateWrappedDataKey({ keyId: record.keyId, keyVersion: next });
  const claimed = await store.putVersion(record.keyId, next, { wrappedKey, createdAt });
  const winner = claimed ? { wrappedKey, createdAt } : await store.getVersion(record.keyId, next);
  if (winner !== undefined) await store.advanceVersion(record.keyId, record.currentVersion, next, winner);
  return claimed;
}

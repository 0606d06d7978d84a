import type { DataKeyRecord } from './data-key.js';
import type { DataKeyStore, StoredVersion } from './data-key-store.js';
import { ServiceError } from './errors.js';
import type { MasterKey } from './master-key.js';

/**
 * Adds a data key's next version. Versions are claimed with a conditional put, so concurrent
 * callers each get their own; one that finds its version taken helps the winner advance the
 * record and reports false, to retry from a fresh read.
 */
export async function addNextVersion(
  store: DataKeyStore,
  masterKey: MasterKey,
  record: DataKeyRecord,
  now: Date,
  request?: string,
): Promise<boolean> {
  const next = record.currentVersion + 1;
  const createdAt = now.toISOString();
  const wrappedKey = await masterKey.generateWrappedDataKey({ keyId: record.keyId, keyVersion: next });
  const claimed = await store.putVersion(record.keyId, next, { wrappedKey, createdAt }, request);
  const winner = claimed ? { wrappedKey, createdAt } : await store.getVersion(record.keyId, next);
  if (winner !== undefined) await store.advanceVersion(record.keyId, record.currentVersion, next, winner);
  return claimed;
}

/**
 * Advances the record to `version`, once claimed: a rotation that died after claiming its version
 * left the record behind it, and so may those that claimed the versions before.
 */
export async function advanceTo(store: DataKeyStore, record: DataKeyRecord, version: number): Promise<void> {
  for (let from = record.currentVersion; from < version; from++) {
    const stored = await store.getVersion(record.keyId, from + 1);
    if (stored !== undefined) await store.advanceVersion(record.keyId, from, from + 1, stored);
  }
}

/**
 * Version 1 of a new key. For a create retried after an earlier attempt stored it, that version,
 * kept from expiring (a rival create may have aborted the attempt): never a second one, which would
 * leave two wrapped keys for one version.
 */
export async function firstVersion(store: DataKeyStore, masterKey: MasterKey, keyId: string, now: Date, request?: string): Promise<StoredVersion> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const earlier = request === undefined ? undefined : await store.getVersion(keyId, 1);
    if (earlier !== undefined) {
      if (await store.keepVersion(keyId, 1)) return earlier;
      continue;
    }
    const stored = { wrappedKey: await masterKey.generateWrappedDataKey({ keyId, keyVersion: 1 }), createdAt: now.toISOString() };
    if (await store.putVersion(keyId, 1, stored, request)) return stored;
    if (request === undefined) break;
  }
  throw new ServiceError('Conflict', 'The new key is being created concurrently; retry.');
}

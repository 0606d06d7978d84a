import { isDataKeyId } from './ciphertext-token.js';
import { ALIAS_PATTERN, ALIAS_PREFIX, isDeleted, type DataKeyRecord } from './data-key.js';
import type { DataKeyStore } from './data-key-store.js';
import { ServiceError } from './errors.js';

/** Finds a live key by id or `alias/<name>`; a key past its deletion date is gone. */
export async function findKey(store: DataKeyStore, keyRef: string, now: Date): Promise<DataKeyRecord> {
  const keyId = await resolveKeyId(store, keyRef);
  const record = keyId === undefined ? undefined : await store.getRecord(keyId);
  if (!record || isDeleted(record, now)) {
    throw new ServiceError('KeyNotFound', `Key ${keyRef} was not found.`);
  }
  return record;
}

async function resolveKeyId(store: DataKeyStore, keyRef: string): Promise<string | undefined> {
  if (keyRef.startsWith(ALIAS_PREFIX)) {
    const alias = keyRef.slice(ALIAS_PREFIX.length);
    if (!ALIAS_PATTERN.test(alias)) throw new ServiceError('ValidationError', 'alias must match ^[A-Za-z0-9_-]{1,64}$.');
    return store.getAliasOwner(alias);
  }
  if (!isDataKeyId(keyRef)) {
    throw new ServiceError('ValidationError', 'key must be a key id (UUID) or alias/<name>.');
  }
  return keyRef;
}

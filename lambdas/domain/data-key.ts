/** The data key record: metadata, versions and the key policy that says who may do what. */
import type { Grant, KeyMetadata, KeyPolicy, KeyState, KeySummary } from '../../contract/index.js';
import type { RememberedRequest } from './change-request.js';
import { destroyedThrough, pendingDestruction, versionState } from './version-lifecycle.js';

export type { KeyPolicy, KeyState };

/** A version as the record lists it; its state follows from the record and the date. */
export interface StoredVersionInfo {
  readonly version: number;
  readonly createdAt: string;
}

/** A key as stored: its public metadata, and the bookkeeping no caller sees. */
export interface DataKeyRecord extends Omit<KeyMetadata, 'versions'> {
  readonly versions: readonly StoredVersionInfo[];
  /** Optimistic-concurrency counter: every metadata change is conditional on it. */
  readonly revision: number;
  /**
   * The current version's wrapped key, copied from its version item so that one read serves an
   * encrypt. Wrapped by KMS: as safe to hold as the version item itself.
   */
  readonly currentWrappedKey?: Uint8Array;
  /**
   * Set while a create with an alias has written the record but not yet confirmed its alias claim.
   * Such a record does not exist for any reader, and a rival create may abort it (see KeyManagement).
   */
  readonly provisional?: true;
  /** Grants by id (see grants.ts); shown only through the grant routes. */
  readonly grants?: Readonly<Record<string, Grant>>;
  /** The recent changes made with an `Idempotency-Key`, by request token (see change-request.ts). */
  readonly requests?: Readonly<Record<string, RememberedRequest>>;
}

/** The public view of a record: everything but bookkeeping. */
export type DataKeyMetadata = KeyMetadata;

/** What a key's users see of it when listing: enough to use it, nothing of its policy or history. */
export type DataKeySummary = KeySummary;

export function toSummary({ keyId, alias, state, currentVersion }: DataKeyRecord): DataKeySummary {
  return { keyId, alias, state, currentVersion };
}

/**
 * The public view of a record at `now`: everything but bookkeeping, each version with its state,
 * and with `lastUsed` (by version) each version's last use.
 */
export function toMetadata(
  { revision: _revision, currentWrappedKey: _wrapped, provisional: _provisional, grants: _grants, requests: _requests, ...record }: DataKeyRecord,
  now: Date = new Date(),
  lastUsed?: ReadonlyMap<number, string>,
): DataKeyMetadata {
  return {
    ...record,
    versions: record.versions.map(({ version, createdAt }) => ({
      version,
      createdAt,
      state: versionState(record, version, now),
      ...(lastUsed && { lastUsedAt: lastUsed.get(version) ?? null }),
    })),
    versionDestruction: pendingDestruction(record, now),
    destroyedThroughVersion: destroyedThrough(record, now),
  };
}

/** A key whose deletion date has passed no longer exists, whether or not its items are swept yet. */
export function isDeleted(record: DataKeyRecord, now: Date): boolean {
  return record.state === 'PendingDeletion' && record.deletionDate !== null && Date.parse(record.deletionDate) <= now.getTime();
}

/** Whether the key exists for readers: created to the end, and not past its deletion date. */
export function isLive(record: DataKeyRecord, now: Date): boolean {
  return record.provisional !== true && !isDeleted(record, now);
}

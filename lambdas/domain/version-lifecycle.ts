import type { KeyVersionState, VersionDestruction } from '../../contract/index.js';
import type { DataKeyRecord } from './data-key.js';
import { ServiceError } from './errors.js';

/**
 * Retiring and destroying a key's old versions (docs/key-versions.md). A record holds the minimum
 * version that may decrypt, one scheduled destruction and how far earlier destructions reached;
 * a destruction takes effect at its date for every reader, whether or not DynamoDB's time-to-live
 * has swept the version items yet, as a deletion does.
 */
export type VersionLifecycle = Pick<DataKeyRecord, 'keyId' | 'minDecryptionVersion' | 'versionDestruction' | 'destroyedThroughVersion'>;

/** How long before its date a destruction can still be cancelled: longer than any request takes. */
const CANCEL_MARGIN_MS = 60_000;

const isDue = (destruction: VersionDestruction | null, now: Date): destruction is VersionDestruction =>
  destruction !== null && Date.parse(destruction.destructionDate) <= now.getTime();

/** Every version up to this one is destroyed (0: none), counting a destruction whose date has passed. */
export function destroyedThrough({ versionDestruction, destroyedThroughVersion }: VersionLifecycle, now: Date): number {
  return isDue(versionDestruction, now) ? Math.max(versionDestruction.throughVersion, destroyedThroughVersion) : destroyedThroughVersion;
}

/** The destruction still to come, if any. */
export function pendingDestruction({ versionDestruction }: VersionLifecycle, now: Date): VersionDestruction | null {
  return versionDestruction === null || isDue(versionDestruction, now) ? null : versionDestruction;
}

/** Versions up to this one can never be enabled again: destroyed, or scheduled to be. */
export function shreddedThrough(record: VersionLifecycle, now: Date): number {
  return pendingDestruction(record, now)?.throughVersion ?? destroyedThrough(record, now);
}

export function versionState(record: VersionLifecycle, version: number, now: Date): KeyVersionState {
  if (version <= destroyedThrough(record, now)) return 'Destroyed';
  if (version <= (pendingDestruction(record, now)?.throughVersion ?? 0)) return 'PendingDestruction';
  return version < record.minDecryptionVersion ? 'Retired' : 'Enabled';
}

/**
 * Refuses to open anything under a version that is not enabled. A destroyed version is as gone as a
 * deleted key's (InvalidCiphertext, its own message: the caller may use the key, so it learns
 * nothing it could not read in the metadata); a retired one is 409 KeyVersionRetired, naming it.
 */
export function assertDecryptable(record: VersionLifecycle, version: number, now: Date): void {
  const state = versionState(record, version, now);
  if (state === 'Enabled') return;
  if (state === 'Destroyed') {
    throw new ServiceError('InvalidCiphertext', `Version ${version} of key ${record.keyId} was destroyed: nothing can decrypt under it again.`);
  }
  const when = state === 'PendingDestruction' ? `, and will be destroyed on ${pendingDestruction(record, now)!.destructionDate}` : '';
  throw new ServiceError(
    'KeyVersionRetired',
    `Version ${version} of key ${record.keyId} is retired (the key's minDecryptionVersion is ${record.minDecryptionVersion})${when}. Rewrap data before retiring its version; an administrator can lower minDecryptionVersion again.`,
  );
}

/** The new minimum, if an administrator may set it now. The current version is never retired; a shredded one never enabled again. */
export function checkedMinimum(record: VersionLifecycle & Pick<DataKeyRecord, 'currentVersion'>, minimum: number, now: Date): number {
  if (minimum > record.currentVersion) {
    throw new ServiceError(
      'InvalidKeyState',
      `minDecryptionVersion ${minimum} is above the current version ${record.currentVersion}: the current version can never be retired.`,
    );
  }
  const shredded = shreddedThrough(record, now);
  if (minimum <= shredded) {
    throw new ServiceError(
      'InvalidKeyState',
      `Versions up to ${shredded} are destroyed or scheduled for destruction; minDecryptionVersion must be at least ${shredded + 1}${pendingDestruction(record, now) ? ' (cancel the destruction first to enable them again)' : ''}.`,
    );
  }
  return minimum;
}

/** The destruction to schedule: every retired version not destroyed yet, at `destructionDate`. */
export function nextDestruction(
  record: VersionLifecycle,
  destructionDate: string,
  now: Date,
): Pick<DataKeyRecord, 'versionDestruction' | 'destroyedThroughVersion'> {
  const pending = pendingDestruction(record, now);
  if (pending !== null) {
    throw new ServiceError(
      'InvalidKeyState',
      `Versions up to ${pending.throughVersion} are already scheduled for destruction on ${pending.destructionDate}; cancel that first to change it.`,
    );
  }
  const destroyed = destroyedThrough(record, now);
  const throughVersion = record.minDecryptionVersion - 1;
  if (throughVersion <= destroyed) {
    throw new ServiceError(
      'InvalidKeyState',
      'No retired version is left to destroy: raise minDecryptionVersion first (the current version is never destroyed).',
    );
  }
  return { versionDestruction: { throughVersion, destructionDate }, destroyedThroughVersion: destroyed };
}

/** The destruction a cancel stops: the pending one, or an error saying why there is none. */
export function cancellableDestruction(record: VersionLifecycle, now: Date): VersionDestruction {
  const pending = pendingDestruction(record, now);
  // A cancel must land before the date, or the items could be swept while the record says retired.
  if (pending !== null && Date.parse(pending.destructionDate) - now.getTime() < CANCEL_MARGIN_MS) {
    throw new ServiceError('InvalidKeyState', `The destruction on ${pending.destructionDate} is less than a minute away: too late to cancel.`);
  }
  if (pending !== null) return pending;
  const destroyed = destroyedThrough(record, now);
  throw new ServiceError(
    'InvalidKeyState',
    destroyed > 0
      ? `No destruction is pending: versions up to ${destroyed} are destroyed already, for good.`
      : 'No destruction of versions is pending.',
  );
}

/**
 * The time-to-live a version item should carry (seconds, or null for none), given the key's
 * deletion date: the earlier of that date and its version's destruction, so that scheduling or
 * cancelling a key's deletion never delays or undoes the shredding of a version.
 */
export function versionExpiry(record: VersionLifecycle, deletionDate: string | null, now: Date): (version: number) => number | null {
  const seconds = (date: string) => Math.ceil(Date.parse(date) / 1000);
  const deletion = deletionDate === null ? null : seconds(deletionDate);
  const destroyed = destroyedThrough(record, now);
  const pending = pendingDestruction(record, now);
  return (version) => {
    const destruction =
      version <= destroyed ? Math.ceil(now.getTime() / 1000) : version <= (pending?.throughVersion ?? 0) ? seconds(pending!.destructionDate) : null;
    if (destruction === null) return deletion;
    return deletion === null ? destruction : Math.min(deletion, destruction);
  };
}

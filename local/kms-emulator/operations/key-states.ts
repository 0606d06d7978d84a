import { KmsError } from '../errors.js';
import type { EmulatedKey } from '../key-store.js';

/** Cryptographic use needs an enabled key. */
export function usable(key: EmulatedKey): EmulatedKey {
  if (key.state === 'Disabled') throw new KmsError('DisabledException', `${key.arn} is disabled.`);
  notPendingDeletion(key);
  notPendingImport(key);
  return key;
}

export function notPendingDeletion(key: EmulatedKey): void {
  if (key.state === 'PendingDeletion') throw new KmsError('KMSInvalidStateException', `${key.arn} is pending deletion.`);
}

/** A key without its imported material, in the key state table's words. */
export function notPendingImport(key: EmulatedKey): void {
  if (key.state === 'PendingImport') throw new KmsError('KMSInvalidStateException', `${key.arn} is pending import.`);
}

/** The key state table's answer when an operation does not fit the key's origin. */
const wrongOrigin = (key: EmulatedKey) =>
  new KmsError('UnsupportedOperationException', `${key.arn} origin is ${key.origin ?? 'AWS_KMS'} which is not valid for this operation.`);

/**
 * Automatic rotation is not for keys with imported key material (EnableKeyRotation: "You cannot
 * enable automatic rotation of ... KMS keys with imported key material"): EnableKeyRotation,
 * DisableKeyRotation and GetKeyRotationStatus answer UnsupportedOperationException in every key
 * state (Key states of AWS KMS keys, notes 6 and 7), before the state is looked at.
 */
export function automaticRotationApplies(key: EmulatedKey): EmulatedKey {
  if (key.origin === 'EXTERNAL') throw wrongOrigin(key);
  return key;
}

/** The import operations are for EXTERNAL keys only (key state table, note 9). */
export function external(key: EmulatedKey): EmulatedKey {
  if (key.origin !== 'EXTERNAL') throw wrongOrigin(key);
  return key;
}

import type { EncryptionContext, GrantOperation } from '../../contract/index.js';
import type { DataKeyRecord, KeyState } from './data-key.js';
import { ServiceError } from './errors.js';
import { isGranted } from './grants.js';
import { isSamePrincipal } from './principals.js';

/** Users encrypt, decrypt and rewrap; administrators manage the key and its policy. */
export type KeyAction = 'use' | 'administer';

export function isAllowed(record: DataKeyRecord, caller: string, action: KeyAction): boolean {
  const principals = action === 'use' ? record.policy.users : record.policy.admins;
  return principals.some((principal) => isSamePrincipal(principal, caller));
}

export function isMember(record: DataKeyRecord, caller: string): boolean {
  return isAllowed(record, caller, 'use') || isAllowed(record, caller, 'administer');
}

export function authorize(record: DataKeyRecord, caller: string, action: KeyAction): void {
  if (!isAllowed(record, caller, action)) {
    const role = action === 'use' ? 'a user' : 'an administrator';
    throw new ServiceError('AccessDenied', `The caller is not ${role} of this key.`);
  }
}

/** One cryptographic use of a key: what, under which context (`null`: any, to gate a batch), and when. */
export interface KeyUse {
  readonly operation: GrantOperation;
  readonly context: EncryptionContext | undefined | null;
  readonly now: Date;
}

/** Users of the key policy may use it; anybody else only as an active grant allows. */
export function authorizeUse(record: DataKeyRecord, caller: string, { operation, context, now }: KeyUse): void {
  if (isAllowed(record, caller, 'use') || isGranted(record, caller, operation, context, now)) return;
  throw new ServiceError('AccessDenied', 'The caller is not a user of this key, and holds no grant for this use.');
}

/**
 * `authorizeUse` for many uses of one key by one caller, each under its own context: the policy is
 * read once, and only a caller it does not name has each use checked against its grants.
 */
export function useAuthorizer(
  record: DataKeyRecord,
  caller: string,
  operation: GrantOperation,
  now: Date,
): (context: EncryptionContext | undefined) => void {
  if (isAllowed(record, caller, 'use')) return () => {};
  return (context) => authorizeUse(record, caller, { operation, context, now });
}

/** Cryptographic use needs an enabled key. */
export function assertUsable(record: DataKeyRecord): void {
  assertNotState(record, 'PendingDeletion');
  assertNotState(record, 'Disabled');
}

const STATE_ERRORS: Record<Exclude<KeyState, 'Enabled'>, () => ServiceError> = {
  Disabled: () => new ServiceError('KeyDisabled', 'The key is disabled; an administrator can enable it.'),
  PendingDeletion: () => new ServiceError('KeyPendingDeletion', 'The key is pending deletion; an administrator can cancel the deletion.'),
};

export function assertNotState(record: DataKeyRecord, state: Exclude<KeyState, 'Enabled'>): void {
  if (record.state === state) throw STATE_ERRORS[state]();
}

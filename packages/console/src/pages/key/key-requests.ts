import { api } from '../../api/client.js';
import type { KeyMetadata } from '../../api/types.js';
import { formatDate } from '../../components/format.js';
import { keyPath } from './key-path.js';
import type { KeyRequest } from './use-key-change.js';

/** A rotation answers the version it created, whatever concurrent rotations did. */
type RotatedKey = KeyMetadata & { readonly createdVersion: number };

const name = (key: KeyMetadata) => key.alias ?? key.keyId;

export const rotateKey = (keyId: string): KeyRequest<RotatedKey> => ({
  call: () => api<RotatedKey>('POST', keyPath(keyId, '/rotate')),
  success: (rotated) => `${name(rotated)} rotated: version ${rotated.createdVersion} is now current.`,
  failure: 'The key was not rotated',
});

export const disableKey = (keyId: string): KeyRequest<KeyMetadata> => ({
  call: () => api<KeyMetadata>('POST', keyPath(keyId, '/disable')),
  success: (key) => `${name(key)} disabled: encrypt and decrypt with it fail, within the service's cache age, until it is enabled.`,
  failure: 'The key was not disabled',
});

export const enableKey = (keyId: string): KeyRequest<KeyMetadata> => ({
  call: () => api<KeyMetadata>('POST', keyPath(keyId, '/enable')),
  success: (key) => `${name(key)} enabled.`,
  failure: 'The key was not enabled',
});

export const scheduleDeletion = (keyId: string, pendingWindowInDays: number): KeyRequest<KeyMetadata> => ({
  call: () => api<KeyMetadata>('POST', keyPath(keyId, '/schedule-deletion'), { body: { pendingWindowInDays } }),
  success: (key) => `${name(key)} is scheduled for deletion on ${formatDate(key.deletionDate)}.`,
  failure: 'The deletion was not scheduled',
});

export const cancelDeletion = (keyId: string): KeyRequest<KeyMetadata> => ({
  call: () => api<KeyMetadata>('POST', keyPath(keyId, '/cancel-deletion')),
  success: (key) => `Deletion of ${name(key)} cancelled: the key is disabled; enable it to use it again.`,
  failure: 'The deletion was not cancelled',
});

import { PENDING_WINDOW_DAYS } from '../../../../../contract/limits.js';
import type { KeyMetadata } from '../../api/types.js';

/** What the user types to confirm a deletion, as the KMS console asks: the alias, or the key id without one. */
export const deletionConfirmation = (key: Pick<KeyMetadata, 'alias' | 'keyId'>): string => key.alias ?? key.keyId;

/** The waiting period's error as the API's schema would give it, or undefined. */
export function pendingWindowError(text: string): string | undefined {
  const days = Number(text);
  if (text.trim() === '' || !Number.isInteger(days) || days < PENDING_WINDOW_DAYS.min || days > PENDING_WINDOW_DAYS.max)
    return `Enter a whole number of days from ${PENDING_WINDOW_DAYS.min} to ${PENDING_WINDOW_DAYS.max}.`;
  return undefined;
}

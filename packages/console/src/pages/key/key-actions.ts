import type { KeyState } from '../../api/types.js';

export type KeyAction = 'disable' | 'enable' | 'rotate' | 'scheduleDeletion' | 'cancelDeletion';

/**
 * What a key's state allows, as the API decides it: a key pending deletion can only have its
 * deletion cancelled (it comes back disabled), and only an enabled key can be rotated.
 */
export function availableActions(state: KeyState): ReadonlySet<KeyAction> {
  switch (state) {
    case 'Enabled':
      return new Set(['disable', 'rotate', 'scheduleDeletion']);
    case 'Disabled':
      return new Set(['enable', 'scheduleDeletion']);
    case 'PendingDeletion':
      return new Set(['cancelDeletion']);
  }
}

/** Why an action is not offered, for the disabled menu item's reason. */
export function unavailableReason(action: KeyAction, state: KeyState): string | undefined {
  if (availableActions(state).has(action)) return undefined;
  if (state === 'PendingDeletion') return 'The key is pending deletion: cancel the deletion first.';
  if (action === 'rotate') return 'Only an enabled key can be rotated: enable it first.';
  return undefined;
}

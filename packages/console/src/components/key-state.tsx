import StatusIndicator, { type StatusIndicatorProps } from '@cloudscape-design/components/status-indicator';
import type { KeyState, KeyVersionState } from '../api/types.js';

const STATUS: Record<KeyState, { type: StatusIndicatorProps.Type; text: string }> = {
  Enabled: { type: 'success', text: 'Enabled' },
  Disabled: { type: 'stopped', text: 'Disabled' },
  PendingDeletion: { type: 'warning', text: 'Pending deletion' },
};

export function KeyStateIndicator({ state }: { state: KeyState }) {
  const status = STATUS[state] ?? { type: 'info', text: state };
  return <StatusIndicator type={status.type}>{status.text}</StatusIndicator>;
}

export const KEY_STATE_LABELS = Object.fromEntries(Object.entries(STATUS).map(([state, { text }]) => [state, text])) as Record<KeyState, string>;

const VERSION_STATUS: Record<KeyVersionState, { type: StatusIndicatorProps.Type; text: string }> = {
  Enabled: { type: 'success', text: 'Enabled' },
  Retired: { type: 'stopped', text: 'Retired' },
  PendingDestruction: { type: 'warning', text: 'Pending destruction' },
  Destroyed: { type: 'error', text: 'Destroyed' },
};

export function VersionStateIndicator({ state }: { state: KeyVersionState }) {
  const status = VERSION_STATUS[state] ?? { type: 'info', text: state };
  return <StatusIndicator type={status.type}>{status.text}</StatusIndicator>;
}

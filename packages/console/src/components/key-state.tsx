import StatusIndicator, { type StatusIndicatorProps } from '@cloudscape-design/components/status-indicator';
import type { KeyState, KeyVersionState } from '../api/types.js';

type Statuses<S extends string> = Record<S, { type: StatusIndicatorProps.Type; text: string }>;

/** The indicator of `statuses` for a state; a state the console does not know yet shows as it is. */
function StateIndicator<S extends string>({ state, statuses }: { state: S; statuses: Statuses<S> }) {
  const status = statuses[state] ?? { type: 'info', text: state };
  return <StatusIndicator type={status.type}>{status.text}</StatusIndicator>;
}

const STATUS: Statuses<KeyState> = {
  Enabled: { type: 'success', text: 'Enabled' },
  Disabled: { type: 'stopped', text: 'Disabled' },
  PendingDeletion: { type: 'warning', text: 'Pending deletion' },
};

export const KeyStateIndicator = ({ state }: { state: KeyState }) => <StateIndicator state={state} statuses={STATUS} />;

export const KEY_STATE_LABELS = Object.fromEntries(Object.entries(STATUS).map(([state, { text }]) => [state, text])) as Record<KeyState, string>;

const VERSION_STATUS: Statuses<KeyVersionState> = {
  Enabled: { type: 'success', text: 'Enabled' },
  Retired: { type: 'stopped', text: 'Retired' },
  PendingDestruction: { type: 'warning', text: 'Pending destruction' },
  Destroyed: { type: 'error', text: 'Destroyed' },
};

export const VersionStateIndicator = ({ state }: { state: KeyVersionState }) => <StateIndicator state={state} statuses={VERSION_STATUS} />;

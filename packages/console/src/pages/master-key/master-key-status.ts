import type { StatusIndicatorProps } from '@cloudscape-design/components/status-indicator';

/** KMS's key states, as the KMS console shows them. */
const STATES: Readonly<Record<string, { readonly type: StatusIndicatorProps.Type; readonly text: string }>> = {
  Enabled: { type: 'success', text: 'Enabled' },
  Disabled: { type: 'stopped', text: 'Disabled' },
  PendingDeletion: { type: 'warning', text: 'Pending deletion' },
  PendingImport: { type: 'pending', text: 'Pending import' },
  Unavailable: { type: 'error', text: 'Unavailable' },
  Creating: { type: 'in-progress', text: 'Creating' },
  Updating: { type: 'in-progress', text: 'Updating' },
};

export function keyStateStatus(state: string): { readonly type: StatusIndicatorProps.Type; readonly text: string } {
  return STATES[state] ?? { type: 'info', text: state };
}

/** `EXTERNAL` is material an operator imported: KMS does not rotate it, and it may expire. */
export const isImported = (origin: string): boolean => origin === 'EXTERNAL';

export function originLabel(origin: string): string {
  if (origin === 'AWS_KMS') return 'AWS KMS';
  return isImported(origin) ? 'External (imported key material)' : origin;
}

export function rotationPeriodLabel(days: number | null): string {
  return days === null ? '-' : `${days} days`;
}

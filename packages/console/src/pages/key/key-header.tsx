import Button from '@cloudscape-design/components/button';
import ButtonDropdown, { type ButtonDropdownProps } from '@cloudscape-design/components/button-dropdown';
import Header from '@cloudscape-design/components/header';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { useState } from 'react';
import type { KeyMetadata } from '../../api/types.js';
import { KeyStateIndicator } from '../../components/key-state.js';
import { DisableKeyModal } from './disable-key-modal.js';
import { availableActions, type KeyAction, unavailableReason } from './key-actions.js';
import { cancelDeletion, enableKey, rotateKey } from './key-requests.js';
import { ScheduleDeletionModal } from './schedule-deletion-modal.js';
import type { KeyChange } from './use-key-change.js';
import { usePending } from './use-pending.js';

/** The menu, in the KMS console's words; each pair shows whichever of the two the state allows. */
const MENU: readonly (readonly [KeyAction, string])[] = [
  ['disable', 'Disable'],
  ['enable', 'Enable'],
  ['rotate', 'Rotate now'],
  ['scheduleDeletion', 'Schedule key deletion'],
  ['cancelDeletion', 'Cancel key deletion'],
];

export function KeyHeader({ metadata, change, reload }: { metadata: KeyMetadata; change: KeyChange; reload: () => Promise<void> }) {
  const [modal, setModal] = useState<'disable' | 'scheduleDeletion'>();
  const [busy, pending] = usePending();
  const [refreshing, refresh] = usePending();
  const run = (action: KeyAction) => {
    if (action === 'disable' || action === 'scheduleDeletion') return setModal(action);
    const { keyId } = metadata;
    const immediate = {
      enable: () => change(enableKey(keyId)),
      rotate: () => change(rotateKey(keyId)),
      cancelDeletion: () => change(cancelDeletion(keyId)),
    };
    void pending(immediate[action]);
  };
  return (
    <>
      <Header
        variant="h1"
        description={metadata.description ?? undefined}
        info={<KeyStateIndicator state={metadata.state} />}
        actions={
          <SpaceBetween direction="horizontal" size="xs">
            <Button iconName="refresh" ariaLabel="Refresh key" loading={refreshing} onClick={() => refresh(reload)} />
            <ButtonDropdown items={menuItems(metadata)} loading={busy} onItemClick={(event) => run(event.detail.id as KeyAction)}>
              Key actions
            </ButtonDropdown>
          </SpaceBetween>
        }
      >
        {metadata.alias ?? metadata.keyId}
      </Header>
      <DisableKeyModal metadata={metadata} change={change} visible={modal === 'disable'} onClose={() => setModal(undefined)} />
      <ScheduleDeletionModal metadata={metadata} change={change} visible={modal === 'scheduleDeletion'} onClose={() => setModal(undefined)} />
    </>
  );
}

/** Enable or disable, and schedule or cancel deletion, as the state allows; rotate is shown disabled when it cannot be. */
function menuItems({ state }: KeyMetadata): ButtonDropdownProps.Item[] {
  const available = availableActions(state);
  return MENU.filter(([action]) => available.has(action) || action === 'rotate').map(([id, text]) => ({
    id,
    text,
    disabled: !available.has(id),
    disabledReason: unavailableReason(id, state),
  }));
}

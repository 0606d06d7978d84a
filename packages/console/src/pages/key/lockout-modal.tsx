import Alert from '@cloudscape-design/components/alert';
import Checkbox from '@cloudscape-design/components/checkbox';
import Modal from '@cloudscape-design/components/modal';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { useState } from 'react';
import { ModalFooter } from './modal-footer.js';

export interface LockoutModalProps {
  readonly visible: boolean;
  readonly saving: boolean;
  readonly onConfirm: () => void;
  readonly onClose: () => void;
}

/** The lockout safety check's bypass, behind an explicit acknowledgement of what the caller loses. */
export function LockoutModal({ visible, saving, onConfirm, onClose }: LockoutModalProps) {
  const [understood, setUnderstood] = useState(false);
  const close = () => {
    setUnderstood(false);
    onClose();
  };
  return (
    <Modal
      visible={visible}
      onDismiss={close}
      header="Save the policy without you as administrator?"
      closeAriaLabel="Close"
      footer={
        <ModalFooter confirm="Save and give up administration" onConfirm={onConfirm} onCancel={close} loading={saving} disabled={!understood} />
      }
    >
      <SpaceBetween size="m">
        <Alert type="warning">
          Once saved, you can no longer see or change this key: its policy, grants, tags, state and deletion. Only the administrators the policy names
          can. You keep using the key only if the policy names you as a user.
        </Alert>
        <Checkbox checked={understood} onChange={(event) => setUnderstood(event.detail.checked)}>
          I understand that I lose administration of this key
        </Checkbox>
      </SpaceBetween>
    </Modal>
  );
}

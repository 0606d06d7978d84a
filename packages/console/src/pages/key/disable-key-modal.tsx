import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Modal from '@cloudscape-design/components/modal';
import SpaceBetween from '@cloudscape-design/components/space-between';
import type { KeyMetadata } from '../../api/types.js';
import { disableKey } from './key-requests.js';
import { ModalFooter } from './modal-footer.js';
import type { KeyChange } from './use-key-change.js';
import { usePending } from './use-pending.js';

export interface KeyModalProps {
  readonly metadata: KeyMetadata;
  readonly change: KeyChange;
  readonly visible: boolean;
  readonly onClose: () => void;
}

export function DisableKeyModal({ metadata, change, visible, onClose }: KeyModalProps) {
  const [disabling, pending] = usePending();
  const confirm = () => pending(() => change(disableKey(metadata.keyId))).then(onClose);
  return (
    <Modal
      visible={visible}
      onDismiss={onClose}
      header="Disable key"
      closeAriaLabel="Close"
      footer={<ModalFooter confirm="Disable key" onConfirm={confirm} onCancel={onClose} loading={disabling} />}
    >
      <SpaceBetween size="m">
        <Box variant="p">
          Disable <b>{metadata.alias ?? metadata.keyId}</b>?
        </Box>
        <Alert type="warning">
          Every encrypt and decrypt with this key will fail (KeyDisabled), once the service's cache age (the stack's CacheMaxAgeSeconds) has passed,
          until it is enabled again, for its users and grantees alike. Nothing is deleted: its administrators can still manage it, and enable it at
          any time.
        </Alert>
      </SpaceBetween>
    </Modal>
  );
}

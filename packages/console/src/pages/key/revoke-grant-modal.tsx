import Box from '@cloudscape-design/components/box';
import Modal from '@cloudscape-design/components/modal';
import { api } from '../../api/client.js';
import type { Grant } from '../../api/types.js';
import { keyPath } from './key-path.js';
import { ModalFooter } from './modal-footer.js';
import type { KeyChange } from './use-key-change.js';
import { usePending } from './use-pending.js';

export interface RevokeGrantModalProps {
  readonly grant: Grant;
  readonly change: KeyChange;
  readonly visible: boolean;
  readonly onClose: () => void;
}

export function RevokeGrantModal({ grant, change, visible, onClose }: RevokeGrantModalProps) {
  const [revoking, pending] = usePending();
  const revoke = async () => {
    const outcome = await pending(() =>
      change({
        call: () => api<unknown>('DELETE', keyPath(grant.keyId, `/grants/${encodeURIComponent(grant.grantId)}`)),
        success: () => `Grant ${grant.name ?? grant.grantId} revoked.`,
        failure: 'The grant was not revoked',
      }),
    );
    if (outcome.ok) onClose();
  };
  return (
    <Modal
      visible={visible}
      onDismiss={onClose}
      header="Revoke grant"
      closeAriaLabel="Close"
      footer={<ModalFooter confirm="Revoke grant" onConfirm={revoke} onCancel={onClose} loading={revoking} />}
    >
      <Box variant="p">
        Revoke grant <b>{grant.name ?? grant.grantId}</b>? {grant.grantee} loses what it allows ({grant.operations.join(', ')}) at once, or within the
        service's cache age (the stack's CacheMaxAgeSeconds) where a function still holds the key, and keeps using the key only if the key policy
        names it as a user. A revoked grant cannot be restored: create a new one instead.
      </Box>
    </Modal>
  );
}

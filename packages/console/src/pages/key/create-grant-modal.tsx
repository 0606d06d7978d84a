import Modal from '@cloudscape-design/components/modal';
import { useState } from 'react';
import { api } from '../../api/client.js';
import type { Grant } from '../../api/types.js';
import { EMPTY_GRANT, type GrantDraft, grantErrors, grantRequestOf, hasGrantErrors } from './grant-draft.js';
import { GrantForm } from './grant-form.js';
import { keyPath } from './key-path.js';
import { ModalFooter } from './modal-footer.js';
import type { KeyChange } from './use-key-change.js';
import { usePending } from './use-pending.js';

export interface CreateGrantModalProps {
  readonly keyId: string;
  readonly change: KeyChange;
  readonly visible: boolean;
  readonly onClose: () => void;
}

export function CreateGrantModal({ keyId, change, visible, onClose }: CreateGrantModalProps) {
  const [draft, setDraft] = useState<GrantDraft>(EMPTY_GRANT);
  const [submitted, setSubmitted] = useState(false);
  const [creating, pending] = usePending();
  const errors = grantErrors(draft, new Date());

  const close = () => {
    setDraft(EMPTY_GRANT);
    setSubmitted(false);
    onClose();
  };
  const create = async () => {
    setSubmitted(true);
    if (hasGrantErrors(errors)) return;
    const outcome = await pending(() =>
      change({
        call: () => api<Grant>('POST', keyPath(keyId, '/grants'), { body: grantRequestOf(draft) }),
        success: (grant) => `Grant ${grant.name ?? grant.grantId} created for ${grant.grantee}.`,
        failure: 'The grant was not created',
      }),
    );
    if (outcome.ok) close();
  };

  return (
    <Modal
      visible={visible}
      onDismiss={close}
      header="Create grant"
      closeAriaLabel="Close"
      size="large"
      footer={<ModalFooter confirm="Create grant" onConfirm={create} onCancel={close} loading={creating} />}
    >
      <GrantForm draft={draft} onChange={setDraft} errors={submitted ? errors : undefined} />
    </Modal>
  );
}

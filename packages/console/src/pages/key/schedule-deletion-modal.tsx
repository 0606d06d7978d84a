import Alert from '@cloudscape-design/components/alert';
import FormField from '@cloudscape-design/components/form-field';
import Input from '@cloudscape-design/components/input';
import Modal from '@cloudscape-design/components/modal';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { useState } from 'react';
import { PENDING_WINDOW_DAYS } from '../../../../../contract/limits.js';
import { deletionConfirmation, pendingWindowError } from './deletion.js';
import type { KeyModalProps } from './disable-key-modal.js';
import { scheduleDeletion } from './key-requests.js';
import { ModalFooter } from './modal-footer.js';
import { usePending } from './use-pending.js';

/** As the KMS console asks: a waiting period, and the key's alias typed to confirm. */
export function ScheduleDeletionModal({ metadata, change, visible, onClose }: KeyModalProps) {
  const [days, setDays] = useState(String(PENDING_WINDOW_DAYS.default));
  const [typed, setTyped] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [scheduling, pending] = usePending();
  const expected = deletionConfirmation(metadata);
  const daysError = pendingWindowError(days);
  const typedError = typed === expected ? undefined : `Type ${expected} to confirm.`;

  const close = () => {
    setTyped('');
    setSubmitted(false);
    onClose();
  };
  const confirm = async () => {
    setSubmitted(true);
    if (daysError || typedError) return;
    const outcome = await pending(() => change(scheduleDeletion(metadata.keyId, Number(days))));
    if (outcome.ok) close();
  };

  return (
    <Modal
      visible={visible}
      onDismiss={close}
      header="Schedule key deletion"
      closeAriaLabel="Close"
      footer={<ModalFooter confirm="Schedule deletion" onConfirm={confirm} onCancel={close} loading={scheduling} />}
    >
      <SpaceBetween size="m">
        <Alert type="warning" header="Deleting a key destroys what it protects">
          When the waiting period ends, the key and all its versions are deleted, and nothing encrypted under it can ever be decrypted again. Until
          then the key cannot be used (KeyPendingDeletion), and you can cancel the deletion.
        </Alert>
        <FormField
          label="Waiting period (in days)"
          constraintText={`From ${PENDING_WINDOW_DAYS.min} to ${PENDING_WINDOW_DAYS.max} days.`}
          errorText={daysError}
        >
          <Input type="number" inputMode="numeric" value={days} onChange={(event) => setDays(event.detail.value)} />
        </FormField>
        <FormField
          label={`To confirm, type ${expected}`}
          description="The key's alias, or its ID when it has none."
          errorText={submitted ? typedError : undefined}
        >
          <Input value={typed} onChange={(event) => setTyped(event.detail.value)} placeholder={expected} autoComplete={false} />
        </FormField>
      </SpaceBetween>
    </Modal>
  );
}
